package dev.chatbatch.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one duration grammar and its ranges, without a database. */
class DurationRangeTest {

    @Test
    void everyUnitIsRead() {
        assertThat(DurationRange.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationRange.parse("2s")).isEqualTo(Duration.ofSeconds(2));
        assertThat(DurationRange.parse("1min")).isEqualTo(Duration.ofMinutes(1));
        assertThat(DurationRange.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(DurationRange.parse(" 30s ")).as("surrounding blanks").isEqualTo(Duration.ofSeconds(30));
        assertThat(DurationRange.parse("0ms")).as("zero is a duration; ranges refuse it").isZero();
        assertThat(DurationRange.parse("9999999999h")).as("10 digits of the largest unit").isEqualTo(Duration.ofHours(9_999_999_999L));
    }

    @Test
    void anythingElseIsNotADuration() {
        for (String text : List.of("", " ", "2", "s", "-5s", "+5s", "1.5s", "5 s", "5S", "5MIN", "5m", "5sec", "1d",
                "\uFF15s", "\u0665s", "\u0967\u0966ms", "99999999999ms", "5s; set lock_timeout=0", "NaN", "Infinity",
                "PT5S", "5s5ms")) {
            assertThat(DurationRange.parse(text)).as("'%s'", text).isNull();
        }
    }

    @Test
    void aRangeHoldsItsBoundsAndNothingOutside() {
        DurationRange range = new DurationRange(Duration.ofMillis(10), Duration.ofMinutes(10));
        assertThat(range.contains(Duration.ofMillis(10))).isTrue();
        assertThat(range.contains(Duration.ofMinutes(10))).isTrue();
        assertThat(range.contains(Duration.ofMillis(9))).isFalse();
        assertThat(range.contains(Duration.ofMillis(600_001))).isFalse();
        assertThat(range.contains(Duration.ZERO)).isFalse();
    }

    @Test
    void zeroIsInNoRange() {
        assertThatThrownBy(() -> new DurationRange(Duration.ZERO, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DurationRange(Duration.ofSeconds(2), Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void boundsAreWrittenInTheGrammarInTheirLargestExactUnit() {
        assertThat(new DurationRange(Duration.ofMillis(10), Duration.ofMinutes(10)).describe()).isEqualTo("from 10ms to 10min");
        assertThat(new DurationRange(Duration.ofSeconds(1), Duration.ofHours(24)).describe()).isEqualTo("from 1s to 24h");
        assertThat(new DurationRange(Duration.ofMillis(1), Duration.ofMinutes(10)).describe()).isEqualTo("from 1ms to 10min");
        assertThat(DurationRange.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(DurationRange.format(Duration.ofSeconds(90))).isEqualTo("90s");
        for (Duration d : List.of(Duration.ofMillis(7), Duration.ofSeconds(61), Duration.ofMinutes(90), Duration.ofHours(3))) {
            assertThat(DurationRange.parse(DurationRange.format(d))).as("round trip of %s", d).isEqualTo(d);
        }
    }
}
