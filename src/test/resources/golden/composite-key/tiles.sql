-- tiles
SELECT ceil(rn::numeric / step)::int AS tile, ARRAY[s."tenant_id"::text, s."seq"::text] AS upper_key, rn - (ceil(rn::numeric / step)::bigint - 1) * step AS rows FROM (SELECT s."tenant_id", s."seq", row_number() OVER (ORDER BY s."tenant_id", s."seq") AS rn FROM "generic"."orders" AS s) AS s, (SELECT count(*) AS total, greatest(1, ceil(count(*)::numeric / ?))::bigint AS step FROM "generic"."orders") AS c WHERE rn % step = 0 OR rn = total ORDER BY rn
-- params: [4]
