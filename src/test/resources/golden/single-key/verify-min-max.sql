-- of ranges
SELECT min(x."created_at")::text, max(x."created_at")::text FROM jsonb_populate_recordset(NULL::"public"."chat_messages_v2", CAST(? AS jsonb)) AS x
-- params: [[{"created_at": "2024-01-01 00:00:00+00"}]]
