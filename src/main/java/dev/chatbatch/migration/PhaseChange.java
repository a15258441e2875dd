package dev.chatbatch.migration;

import java.time.Instant;

/** One recorded phase transition (chatbatch.migration_phase_history). */
public record PhaseChange(String from, String to, String actor, Instant at, String detail) {
}
