-- pg_shims.sql: the few SQLite functions the end-to-end tests' checks use,
-- for a test's PostgreSQL database only (lib.sh loads it into the public
-- schema when KANAL_TEST_BACKEND=postgresql). Kanal itself never uses them.
CREATE FUNCTION public.json_extract(j json, path text) RETURNS text LANGUAGE sql IMMUTABLE AS
  $$ SELECT j #>> string_to_array(substr(path, 3), '.') $$;
CREATE FUNCTION public.json_extract(j text, path text) RETURNS text LANGUAGE sql IMMUTABLE AS
  $$ SELECT public.json_extract(j::json, path) $$;
CREATE FUNCTION public.gc_step(acc text, v text, sep text) RETURNS text LANGUAGE sql IMMUTABLE AS
  $$ SELECT CASE WHEN v IS NULL THEN acc WHEN acc IS NULL THEN v ELSE acc || sep || v END $$;
CREATE FUNCTION public.gc_step1(acc text, v text) RETURNS text LANGUAGE sql IMMUTABLE AS
  $$ SELECT public.gc_step(acc, v, ',') $$;
CREATE AGGREGATE public.group_concat(text, text) (SFUNC = public.gc_step, STYPE = text);
CREATE AGGREGATE public.group_concat(text) (SFUNC = public.gc_step1, STYPE = text);
CREATE FUNCTION public.json_valid(j text) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS
  $$ BEGIN PERFORM j::json; RETURN true; EXCEPTION WHEN others THEN RETURN false; END $$;
CREATE FUNCTION public.hex(t text) RETURNS text LANGUAGE sql IMMUTABLE AS
  $$ SELECT upper(encode(convert_to(t, 'UTF8'), 'hex')) $$;
CREATE FUNCTION public.json_type(j json, path text) RETURNS text LANGUAGE sql IMMUTABLE AS
  $$ SELECT CASE json_typeof(v) WHEN 'string' THEN 'text'
       WHEN 'number' THEN CASE WHEN v::text ~ '^-?[0-9]+$' THEN 'integer' ELSE 'real' END
       WHEN 'boolean' THEN v::text ELSE json_typeof(v) END
     FROM (SELECT j #> string_to_array(substr(path, 3), '.') AS v) AS p $$;
