package dev.chatbatch;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The Spring context behind every command. It is not started by {@code main} directly: the CLI
 * ({@link dev.chatbatch.cli.Cli}) parses the command line first, decides where PostgreSQL comes
 * from, and only then boots this context, so usage errors never wait for Spring.
 */
@SpringBootApplication(proxyBeanMethods = false)
public class ChatbatchApplication {
}
