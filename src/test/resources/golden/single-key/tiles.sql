-- tiles
SELECT ceil(rn::numeric / step)::int AS tile, ARRAY[s."id"::text] AS upper_key, rn - (ceil(rn::numeric / step)::bigint - 1) * step AS rows FROM (SELECT s."id", row_number() OVER (ORDER BY s."id") AS rn FROM "public"."chat_messages" AS s) AS s, (SELECT count(*) AS total, greatest(1, ceil(count(*)::numeric / ?))::bigint AS step FROM "public"."chat_messages") AS c WHERE rn % step = 0 OR rn = total ORDER BY rn
-- params: [4]
