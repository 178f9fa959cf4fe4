-- ct_email and ct_phone: input normalization, rejection, comparison, casts.
SET search_path = ctaudience, t, public;

SELECT '  Jane.Doe@Example.COM '::ct_email AS trimmed_lowercased;
SELECT 'o''brien+tag@sub.example.co.uk'::ct_email AS atext_ok;
SELECT 'no-at-sign'::ct_email;
SELECT 'two@@example.com'::ct_email;
SELECT 'a@localhost'::ct_email;
SELECT '.a@example.com'::ct_email;
SELECT 'a..b@example.com'::ct_email;
SELECT 'a b@example.com'::ct_email;
SELECT ''::ct_email;
-- 254 bytes is the limit
SELECT length((repeat('a', 64) || '@' || repeat('b', 63) || '.' || repeat('c', 63) || '.' || repeat('d', 58) || '.io')::ct_email::text);
SELECT length((repeat('a', 64) || '@' || repeat('b', 63) || '.' || repeat('c', 63) || '.' || repeat('d', 59) || '.io')::ct_email::text);
SELECT length((repeat('a', 65) || '@example.com')::ct_email::text);
SELECT 'A@B.io'::ct_email = 'a@b.io'::ct_email AS equal_after_normalizing,
	   'a@b.io'::ct_email < 'b@b.io'::ct_email AS ordered;
SELECT ct_normalize_email(' X@Y.IO '), ct_normalize_email('nope') IS NULL AS invalid_is_null;

SELECT '+14155552671'::ct_phone AS us, '+44 20 7946 0018'::ct_phone AS gb_spaced,
	   '+91 98765 43210'::ct_phone AS india;
SELECT '4155552671'::ct_phone;
SELECT '+1415555267'::ct_phone;
SELECT '+999123456789'::ct_phone;
SELECT 'call me'::ct_phone;
SELECT ct_normalize_phone('(415) 555-2671', 'US') AS us_national,
	   ct_normalize_phone('020 7946 0018', 'gb') AS gb_national,
	   ct_normalize_phone('12', 'US') IS NULL AS short_is_null,
	   ct_normalize_phone('+14155552671') AS no_country;
SELECT ct_normalize_phone('4155552671', 'XX');
SELECT '+14155552671'::ct_phone = ct_normalize_phone('415 555 2671', 'US') AS same_number;
SELECT ct_phone_region_supported('US'), ct_phone_region_supported('ZZ'), ct_phone_region_supported('USA');

-- casts: to text freely, from text through validation
SELECT 'x@y.io'::ct_email::text || '!' AS email_text, '+14155552671'::ct_phone::text AS phone_text;
CREATE TEMP TABLE contact (e ct_email, p ct_phone);
INSERT INTO contact VALUES ('A@B.IO'::text, '+14155552671'::text);
INSERT INTO contact VALUES ('not an email'::text, NULL);
SELECT * FROM contact;
-- binary round trip (send/recv) through COPY BINARY
\copy contact TO 'results/contact.bin' WITH (FORMAT binary)
CREATE TEMP TABLE contact2 (LIKE contact);
\copy contact2 FROM 'results/contact.bin' WITH (FORMAT binary)
SELECT * FROM contact2;
-- btree and hash indexes work
CREATE INDEX ON contact (e);
CREATE INDEX ON contact USING hash (p);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM contact WHERE e = 'a@b.io';
SELECT * FROM contact WHERE e = 'A@B.IO' AND p = '+1 415 555 2671';
RESET enable_seqscan;
