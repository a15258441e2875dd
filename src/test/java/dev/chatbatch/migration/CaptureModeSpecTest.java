package dev.chatbatch.migration;

import dev.chatbatch.config.ConfigFile;
import dev.chatbatch.config.ConfigFileException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code capture.mode} in the spec guard: its values, its default, and a bad value named with file and key. */
class CaptureModeSpecTest {

    private static final String MINIMAL = """
            kind: migration
            name: m
            source: s.a
            target: s.b
            key: [id]
            up:
              id: s.id
            """;

    private static MigrationSpecLoader.Fields guard(String yaml) {
        return MigrationSpecLoader.guard(new ConfigFile("f.yml"), MigrationSpecLoader.parse("f.yml", yaml));
    }

    @Test
    void readsEachModeAndDefaultsToTrigger() {
        assertThat(guard(MINIMAL).capture().mode()).isEqualTo(MigrationSpec.Capture.Mode.TRIGGER);
        for (MigrationSpec.Capture.Mode mode : MigrationSpec.Capture.Mode.values()) {
            assertThat(guard(MINIMAL + "capture:\n  mode: " + mode.name().toLowerCase() + "\n").capture().mode()).isEqualTo(mode);
        }
    }

    @Test
    void refusesAnUnknownModeOrKeyNamingFileAndKey() {
        assertThatThrownBy(() -> guard(MINIMAL + "capture:\n  mode: wal\n")).isInstanceOf(ConfigFileException.class)
                .hasMessageContaining("f.yml").hasMessageContaining("capture.mode").hasMessageContaining("auto, logical or trigger");
        assertThatThrownBy(() -> guard(MINIMAL + "capture:\n  slot: x\n")).isInstanceOf(ConfigFileException.class)
                .hasMessageContaining("f.yml").hasMessageContaining("unknown key in capture: slot; known keys: mode");
    }
}
