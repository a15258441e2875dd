-- source
ALTER TABLE "generic"."orders" SET SCHEMA archive
