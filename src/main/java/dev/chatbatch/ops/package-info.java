/**
 * Operator interfaces: the picocli command line ({@link dev.chatbatch.ops.Cli} and one class per
 * command) and the REST API. This is the only package that depends on all the capabilities; they do
 * not depend on it. Commands stay thin: parse, call a capability's service, print.
 */
package dev.chatbatch.ops;
