package dev.chatbatch.api;

import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

import java.util.List;
import java.util.Locale;

/** The API's two roles. An operator may do everything a viewer may. */
enum ApiRole {
    /** Reads: GET on /api/**, /actuator/prometheus, health details. */
    VIEWER,
    /** Acts: POST on /api/** (launch, stop, restart, migration phase actions), plus everything a viewer may. */
    OPERATOR;

    List<GrantedAuthority> authorities() {
        return this == OPERATOR
                ? List.of(new SimpleGrantedAuthority("ROLE_VIEWER"), new SimpleGrantedAuthority("ROLE_OPERATOR"))
                : List.of(new SimpleGrantedAuthority("ROLE_VIEWER"));
    }

    static ApiRole parse(String value, String property) {
        if (value != null) {
            for (ApiRole role : values()) {
                if (role.name().equalsIgnoreCase(value.trim())) {
                    return role;
                }
            }
        }
        throw dev.chatbatch.OperatorException.usage(property + " is '" + value + "': use viewer or operator");
    }

    String lower() {
        return name().toLowerCase(Locale.ROOT);
    }
}
