-- Planner settings of the C functions.  Every statement they run is a batch
-- of key lookups, inserts or updates through unique indexes, for one message
-- (about a thousand keys): a nested loop over an index is the right plan at
-- every table size.  Left to itself the planner picks hash joins and
-- sequential scans for such batches, and a plan chosen while the tables were
-- small would be kept as they grow to millions of rows.  With these settings
-- the statements keep generic plans, so nothing is planned per message.
--
-- Passcode hashing lives in C (PBKDF2-SHA-256 with a random salt).
CREATE FUNCTION ctaudience.ct_passcode_hash(passcode text) RETURNS text
	AS 'MODULE_PATHNAME', 'ct_passcode_hash' LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ctaudience.ct_passcode_hash(text) IS
	'salted PBKDF2-SHA-256 verifier of a passcode, in the form stored by ct_project';
