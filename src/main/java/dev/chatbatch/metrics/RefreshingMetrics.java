package dev.chatbatch.metrics;

/** A set of meters whose values come from a snapshot of persisted state, re-read by {@link MetricsRefresher}. */
interface RefreshingMetrics {

    /** Re-reads the persisted state and updates the meters; throws when the state cannot be read. */
    void refresh();
}
