package dev.chatbatch;

import dev.chatbatch.cli.Cli;

/** Entry point of {@code java -jar target/chatbatch.jar}. */
public final class Chatbatch {

    private Chatbatch() {
    }

    public static void main(String[] args) {
        System.exit(new Cli(System.out, System.err).run(args));
    }
}
