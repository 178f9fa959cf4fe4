-- ct_email: a normalized email address (trimmed, ASCII lower-cased,
-- syntax-checked, at most 254 bytes).  Stored like text; compared bytewise,
-- which is exact because the input function normalizes.
CREATE TYPE ctaudience.ct_email;

CREATE FUNCTION ctaudience.ct_email_in(cstring) RETURNS ctaudience.ct_email
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ctaudience.ct_email_out(ctaudience.ct_email) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ctaudience.ct_email_recv(internal) RETURNS ctaudience.ct_email
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ctaudience.ct_email_send(ctaudience.ct_email) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE ctaudience.ct_email (
	INPUT = ctaudience.ct_email_in,
	OUTPUT = ctaudience.ct_email_out,
	RECEIVE = ctaudience.ct_email_recv,
	SEND = ctaudience.ct_email_send,
	INTERNALLENGTH = VARIABLE,
	STORAGE = extended,
	ALIGNMENT = int4,
	CATEGORY = 'S'
);
COMMENT ON TYPE ctaudience.ct_email IS 'email address, trimmed, lower-cased and syntax-checked on input';

-- Comparison support: the representation is a plain varlena of bytes, so
-- bytea's collation-free functions order and hash it correctly.
CREATE FUNCTION ctaudience.ct_email_eq(ctaudience.ct_email, ctaudience.ct_email) RETURNS bool
	AS 'byteaeq' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION ctaudience.ct_email_ne(ctaudience.ct_email, ctaudience.ct_email) RETURNS bool
	AS 'byteane' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION ctaudience.ct_email_lt(ctaudience.ct_email, ctaudience.ct_email) RETURNS bool
	AS 'bytealt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION ctaudience.ct_email_le(ctaudience.ct_email, ctaudience.ct_email) RETURNS bool
	AS 'byteale' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION ctaudience.ct_email_gt(ctaudience.ct_email, ctaudience.ct_email) RETURNS bool
	AS 'byteagt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION ctaudience.ct_email_ge(ctaudience.ct_email, ctaudience.ct_email) RETURNS bool
	AS 'byteage' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION ctaudience.ct_email_cmp(ctaudience.ct_email, ctaudience.ct_email) RETURNS int4
	AS 'byteacmp' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION ctaudience.ct_email_hash(ctaudience.ct_email) RETURNS int4
	AS 'hashvarlena' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION ctaudience.ct_email_hash_extended(ctaudience.ct_email, int8) RETURNS int8
	AS 'hashvarlenaextended' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE OPERATOR ctaudience.= (LEFTARG = ctaudience.ct_email, RIGHTARG = ctaudience.ct_email,
	PROCEDURE = ctaudience.ct_email_eq, COMMUTATOR = OPERATOR(ctaudience.=),
	NEGATOR = OPERATOR(ctaudience.<>), RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES);
CREATE OPERATOR ctaudience.<> (LEFTARG = ctaudience.ct_email, RIGHTARG = ctaudience.ct_email,
	PROCEDURE = ctaudience.ct_email_ne, COMMUTATOR = OPERATOR(ctaudience.<>),
	NEGATOR = OPERATOR(ctaudience.=), RESTRICT = neqsel, JOIN = neqjoinsel);
CREATE OPERATOR ctaudience.< (LEFTARG = ctaudience.ct_email, RIGHTARG = ctaudience.ct_email,
	PROCEDURE = ctaudience.ct_email_lt, COMMUTATOR = OPERATOR(ctaudience.>),
	NEGATOR = OPERATOR(ctaudience.>=), RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR ctaudience.<= (LEFTARG = ctaudience.ct_email, RIGHTARG = ctaudience.ct_email,
	PROCEDURE = ctaudience.ct_email_le, COMMUTATOR = OPERATOR(ctaudience.>=),
	NEGATOR = OPERATOR(ctaudience.>), RESTRICT = scalarlesel, JOIN = scalarlejoinsel);
CREATE OPERATOR ctaudience.> (LEFTARG = ctaudience.ct_email, RIGHTARG = ctaudience.ct_email,
	PROCEDURE = ctaudience.ct_email_gt, COMMUTATOR = OPERATOR(ctaudience.<),
	NEGATOR = OPERATOR(ctaudience.<=), RESTRICT = scalargtsel, JOIN = scalargtjoinsel);
CREATE OPERATOR ctaudience.>= (LEFTARG = ctaudience.ct_email, RIGHTARG = ctaudience.ct_email,
	PROCEDURE = ctaudience.ct_email_ge, COMMUTATOR = OPERATOR(ctaudience.<=),
	NEGATOR = OPERATOR(ctaudience.<), RESTRICT = scalargesel, JOIN = scalargejoinsel);

CREATE OPERATOR CLASS ctaudience.ct_email_ops DEFAULT FOR TYPE ctaudience.ct_email USING btree AS
	OPERATOR 1 ctaudience.<,
	OPERATOR 2 ctaudience.<=,
	OPERATOR 3 ctaudience.=,
	OPERATOR 4 ctaudience.>=,
	OPERATOR 5 ctaudience.>,
	FUNCTION 1 ctaudience.ct_email_cmp(ctaudience.ct_email, ctaudience.ct_email);
CREATE OPERATOR CLASS ctaudience.ct_email_hash_ops DEFAULT FOR TYPE ctaudience.ct_email USING hash AS
	OPERATOR 1 ctaudience.=,
	FUNCTION 1 ctaudience.ct_email_hash(ctaudience.ct_email),
	FUNCTION 2 ctaudience.ct_email_hash_extended(ctaudience.ct_email, int8);

-- text -> ct_email validates through the input function; ct_email -> text
-- is free (same representation).
CREATE CAST (ctaudience.ct_email AS text) WITHOUT FUNCTION AS ASSIGNMENT;
CREATE CAST (text AS ctaudience.ct_email) WITH INOUT AS ASSIGNMENT;
