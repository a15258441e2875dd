-- of ranges
SELECT min(x."created_at")::text, max(x."created_at")::text, min(x."amount")::text, max(x."amount")::text FROM jsonb_populate_recordset(NULL::"generic"."orders_v2", CAST(? AS jsonb)) AS x
-- params: [[{"created_at": "2024-01-01 00:00:00+00"}]]
