package dev.chatbatch.migration;

import java.time.Instant;

/** One recorded phase transition (chatbatch.migration_phase_history); {@code from} is null for the first. */
public record PhaseChange(Phase from, Phase to, String actor, Instant at, String detail) {
}
