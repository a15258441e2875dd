package dev.chatbatch.testsupport;

import org.springframework.jdbc.core.ColumnMapRowMapper;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs a query as an API role the way PostgREST does on Supabase: {@code SET LOCAL ROLE} plus the JWT
 * claims in {@code request.jwt.claims}, in a transaction that is rolled back afterwards. Values are bound.
 */
public final class ApiRole {

    private ApiRole() {
    }

    /** Rows as column → value maps. {@code authId} is the JWT sub (null for anon and service_role). */
    public static List<Map<String, Object>> query(DataSource dataSource, String role, String authId, String sql, Object... args) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("set local role " + switch (role) {
                    case "anon", "authenticated", "service_role" -> role;
                    default -> throw new IllegalArgumentException("not an API role: " + role);
                });
            }
            if (authId != null) {
                try (PreparedStatement p = c.prepareStatement("select set_config('request.jwt.claims', ?, true)")) {
                    p.setString(1, "{\"sub\":\"" + authId + "\",\"role\":\"" + role + "\"}");
                    p.execute();
                }
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    p.setObject(i + 1, args[i]);
                }
                try (ResultSet rs = p.executeQuery()) {
                    ColumnMapRowMapper mapper = new ColumnMapRowMapper();
                    int n = 0;
                    while (rs.next()) {
                        rows.add(mapper.mapRow(rs, n++));
                    }
                }
            } finally {
                c.rollback();
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** The first column of every row, as text. */
    public static List<String> column(DataSource dataSource, String role, String authId, String sql, Object... args) {
        return query(dataSource, role, authId, sql, args).stream()
                .map(r -> {
                    Object v = r.values().iterator().next();
                    return v == null ? null : v.toString();
                })
                .toList();
    }
}
