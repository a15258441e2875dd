package dev.chatbatch.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration grammar of chatbatch's settings, and the range one setting accepts. A duration is
 * at most 10 ASCII digits directly followed by a unit, {@code ms}, {@code s}, {@code min} or {@code h}
 * ({@code 500ms}, {@code 2s}, {@code 1min}, {@code 1h}): no sign, fraction or space. {@code [0-9]}, not
 * {@code \d}: Java would also read full-width or other scripts' digits, which PostgreSQL then refuses.
 *
 * <p>Zero is in no range: PostgreSQL reads a zero timeout as "wait forever".
 */
public record DurationRange(Duration min, Duration max) {

    // 10 digits of hours still fit a long of milliseconds; a longer number is out of every range anyway
    private static final Pattern GRAMMAR = Pattern.compile("([0-9]{1,10})(ms|s|min|h)");

    public DurationRange {
        if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
            throw new IllegalArgumentException("not a range of positive durations: " + min + " to " + max);
        }
    }

    /** What {@code text} means (surrounding blanks ignored), or null when it is not written in the grammar. */
    public static Duration parse(String text) {
        Matcher m = GRAMMAR.matcher(text.trim());
        if (!m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "min" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    public boolean contains(Duration d) {
        return d.compareTo(min) >= 0 && d.compareTo(max) <= 0;
    }

    /** {@code from 10ms to 10min}, for messages. */
    public String describe() {
        return "from " + format(min) + " to " + format(max);
    }

    /** A duration in the grammar, in its largest exact unit: 10ms, 2s, 10min, 24h. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0) {
            return d.toHours() + "h";
        }
        if (ms % 60_000 == 0) {
            return d.toMinutes() + "min";
        }
        if (ms % 1_000 == 0) {
            return d.toSeconds() + "s";
        }
        return ms + "ms";
    }
}
