-- rows of 2 keys
SELECT ARRAY[s."tenant_id"::text, s."seq"::text] AS k, CASE WHEN (s.amount_cents IS NULL) IS TRUE THEN coalesce(('amount_cents is null')::text, 'rejected by rule 1') WHEN (upper(btrim(s.status)) NOT IN ('OPEN', 'PAID', 'VOID')) IS TRUE THEN coalesce(('status ' || quote_literal(s.status) || ' is not open, paid or void')::text, 'rejected by rule 2') END AS reason, CASE WHEN ((s.amount_cents IS NULL) IS TRUE OR (upper(btrim(s.status)) NOT IN ('OPEN', 'PAID', 'VOID')) IS TRUE) THEN NULL ELSE (s.tenant_id)::bigint IS NULL END, CASE WHEN ((s.amount_cents IS NULL) IS TRUE OR (upper(btrim(s.status)) NOT IN ('OPEN', 'PAID', 'VOID')) IS TRUE) THEN NULL ELSE (s.seq)::integer IS NULL END, CASE WHEN ((s.amount_cents IS NULL) IS TRUE OR (upper(btrim(s.status)) NOT IN ('OPEN', 'PAID', 'VOID')) IS TRUE) THEN NULL ELSE (upper(btrim(s.status)))::text IS NULL END, CASE WHEN ((s.amount_cents IS NULL) IS TRUE OR (upper(btrim(s.status)) NOT IN ('OPEN', 'PAID', 'VOID')) IS TRUE) THEN NULL ELSE (s.amount_cents / 100.0)::numeric(12,2) IS NULL END, CASE WHEN ((s.amount_cents IS NULL) IS TRUE OR (upper(btrim(s.status)) NOT IN ('OPEN', 'PAID', 'VOID')) IS TRUE) THEN NULL ELSE (coalesce(s.note, ''))::text IS NULL END, CASE WHEN ((s.amount_cents IS NULL) IS TRUE OR (upper(btrim(s.status)) NOT IN ('OPEN', 'PAID', 'VOID')) IS TRUE) THEN NULL ELSE (s.created_at)::timestamp with time zone IS NULL END FROM "generic"."orders" AS s WHERE (s."tenant_id", s."seq") IN ((CAST(? AS bigint), CAST(? AS integer)), (CAST(? AS bigint), CAST(? AS integer)))
-- params: [1, 10, 2, 20]

-- rules of 1 key
SELECT CASE WHEN (s.amount_cents IS NULL) IS TRUE THEN coalesce(('amount_cents is null')::text, 'rejected by rule 1') WHEN (upper(btrim(s.status)) NOT IN ('OPEN', 'PAID', 'VOID')) IS TRUE THEN coalesce(('status ' || quote_literal(s.status) || ' is not open, paid or void')::text, 'rejected by rule 2') END FROM "generic"."orders" AS s WHERE (s."tenant_id", s."seq") = (CAST(? AS bigint), CAST(? AS integer))
-- params: [1, 10]

-- rows by reject reason
SELECT CASE WHEN (s.amount_cents IS NULL) IS TRUE THEN coalesce(('amount_cents is null')::text, 'rejected by rule 1') WHEN (upper(btrim(s.status)) NOT IN ('OPEN', 'PAID', 'VOID')) IS TRUE THEN coalesce(('status ' || quote_literal(s.status) || ' is not open, paid or void')::text, 'rejected by rule 2') END AS reason, count(*) AS rows FROM "generic"."orders" AS s GROUP BY 1 ORDER BY 2 DESC, 1

-- column state of 1 key
SELECT (upper(btrim(s.status)))::text IS NULL FROM "generic"."orders" AS s WHERE (s."tenant_id", s."seq") = (CAST(? AS bigint), CAST(? AS integer))
-- params: [1, 10]
