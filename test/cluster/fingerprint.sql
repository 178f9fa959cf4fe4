-- Every table and view of the extension, and its sequences, as one line
-- each: name, rows, and an md5 of the rows in a fixed order.  Two databases
-- with equal fingerprints hold the same data, row for row.  With -v
-- stable=1, the columns that record when a row was written (not what it
-- says) are left out, for databases that imported the same message at
-- different moments.
\set ON_ERROR_STOP 1
\if :{?stable}
\else
\set stable 0
\endif
\pset tuples_only on
\pset format unaligned
SELECT format('SELECT %L || '' '' || count(*) || '' '' || md5(coalesce(string_agg(r, E''\n'' ORDER BY r), ''''))'
			  ' FROM (SELECT %s AS r FROM ctaudience.%I t) t',
			  (CASE c.relkind WHEN 'v' THEN 'view ' ELSE 'table ' END) || c.relname,
			  CASE WHEN :stable::int = 1 THEN '(to_jsonb(t) - ''created_at'' - ''updated_at'' - ''received_at'' - ''duration'' - ''duration_ms'' - ''processed_at'''
								   ' - ''enqueued_at'' - ''next_attempt_at'' - ''qualified_at'' - ''taken_at'' - ''merged_at'' #- ''{response,timestamp_ms}'')::text'
				   ELSE 't::text' END,
			  c.relname)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'ctaudience' AND c.relkind IN ('r', 'v')
 ORDER BY c.relkind, c.relname \gexec
SELECT 'sequence ' || sequencename || ' ' || coalesce(last_value, 0)
  FROM pg_sequences WHERE schemaname = 'ctaudience' ORDER BY sequencename;
SELECT 'trend ' || count(*) || ' ' || md5(string_agg(s.partner_segment_id || ' ' || t::text, E'\n' ORDER BY s.partner_segment_id, t.day))
  FROM ctaudience.ct_segment s
 CROSS JOIN LATERAL ctaudience.ct_segment_trend(s.segment_id, 1000, current_date) t;
