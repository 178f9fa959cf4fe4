-- ct_phone: a phone number in E.164 ("+" and 8-15 digits), validated with
-- libphonenumber.  Stored as the digits in an int8: fixed width, fast to
-- compare, and E.164 country codes never begin with 0.
CREATE TYPE ctaudience.ct_phone;

CREATE FUNCTION ctaudience.ct_phone_in(cstring) RETURNS ctaudience.ct_phone
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ctaudience.ct_phone_out(ctaudience.ct_phone) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ctaudience.ct_phone_recv(internal) RETURNS ctaudience.ct_phone
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ctaudience.ct_phone_send(ctaudience.ct_phone) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE ctaudience.ct_phone (
	INPUT = ctaudience.ct_phone_in,
	OUTPUT = ctaudience.ct_phone_out,
	RECEIVE = ctaudience.ct_phone_recv,
	SEND = ctaudience.ct_phone_send,
	INTERNALLENGTH = 8,
	PASSEDBYVALUE,
	ALIGNMENT = double,
	STORAGE = plain,
	CATEGORY = 'S'
);
COMMENT ON TYPE ctaudience.ct_phone IS 'phone number in E.164 form, validated with libphonenumber';

CREATE FUNCTION ctaudience.ct_phone_eq(ctaudience.ct_phone, ctaudience.ct_phone) RETURNS bool
	AS 'int8eq' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION ctaudience.ct_phone_ne(ctaudience.ct_phone, ctaudience.ct_phone) RETURNS bool
	AS 'int8ne' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION ctaudience.ct_phone_lt(ctaudience.ct_phone, ctaudience.ct_phone) RETURNS bool
	AS 'int8lt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION ctaudience.ct_phone_le(ctaudience.ct_phone, ctaudience.ct_phone) RETURNS bool
	AS 'int8le' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION ctaudience.ct_phone_gt(ctaudience.ct_phone, ctaudience.ct_phone) RETURNS bool
	AS 'int8gt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION ctaudience.ct_phone_ge(ctaudience.ct_phone, ctaudience.ct_phone) RETURNS bool
	AS 'int8ge' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION ctaudience.ct_phone_cmp(ctaudience.ct_phone, ctaudience.ct_phone) RETURNS int4
	AS 'btint8cmp' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION ctaudience.ct_phone_hash(ctaudience.ct_phone) RETURNS int4
	AS 'hashint8' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION ctaudience.ct_phone_hash_extended(ctaudience.ct_phone, int8) RETURNS int8
	AS 'hashint8extended' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE OPERATOR ctaudience.= (LEFTARG = ctaudience.ct_phone, RIGHTARG = ctaudience.ct_phone,
	PROCEDURE = ctaudience.ct_phone_eq, COMMUTATOR = OPERATOR(ctaudience.=),
	NEGATOR = OPERATOR(ctaudience.<>), RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES);
CREATE OPERATOR ctaudience.<> (LEFTARG = ctaudience.ct_phone, RIGHTARG = ctaudience.ct_phone,
	PROCEDURE = ctaudience.ct_phone_ne, COMMUTATOR = OPERATOR(ctaudience.<>),
	NEGATOR = OPERATOR(ctaudience.=), RESTRICT = neqsel, JOIN = neqjoinsel);
CREATE OPERATOR ctaudience.< (LEFTARG = ctaudience.ct_phone, RIGHTARG = ctaudience.ct_phone,
	PROCEDURE = ctaudience.ct_phone_lt, COMMUTATOR = OPERATOR(ctaudience.>),
	NEGATOR = OPERATOR(ctaudience.>=), RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR ctaudience.<= (LEFTARG = ctaudience.ct_phone, RIGHTARG = ctaudience.ct_phone,
	PROCEDURE = ctaudience.ct_phone_le, COMMUTATOR = OPERATOR(ctaudience.>=),
	NEGATOR = OPERATOR(ctaudience.>), RESTRICT = scalarlesel, JOIN = scalarlejoinsel);
CREATE OPERATOR ctaudience.> (LEFTARG = ctaudience.ct_phone, RIGHTARG = ctaudience.ct_phone,
	PROCEDURE = ctaudience.ct_phone_gt, COMMUTATOR = OPERATOR(ctaudience.<),
	NEGATOR = OPERATOR(ctaudience.<=), RESTRICT = scalargtsel, JOIN = scalargtjoinsel);
CREATE OPERATOR ctaudience.>= (LEFTARG = ctaudience.ct_phone, RIGHTARG = ctaudience.ct_phone,
	PROCEDURE = ctaudience.ct_phone_ge, COMMUTATOR = OPERATOR(ctaudience.<=),
	NEGATOR = OPERATOR(ctaudience.<), RESTRICT = scalargesel, JOIN = scalargejoinsel);

CREATE OPERATOR CLASS ctaudience.ct_phone_ops DEFAULT FOR TYPE ctaudience.ct_phone USING btree AS
	OPERATOR 1 ctaudience.<,
	OPERATOR 2 ctaudience.<=,
	OPERATOR 3 ctaudience.=,
	OPERATOR 4 ctaudience.>=,
	OPERATOR 5 ctaudience.>,
	FUNCTION 1 ctaudience.ct_phone_cmp(ctaudience.ct_phone, ctaudience.ct_phone);
CREATE OPERATOR CLASS ctaudience.ct_phone_hash_ops DEFAULT FOR TYPE ctaudience.ct_phone USING hash AS
	OPERATOR 1 ctaudience.=,
	FUNCTION 1 ctaudience.ct_phone_hash(ctaudience.ct_phone),
	FUNCTION 2 ctaudience.ct_phone_hash_extended(ctaudience.ct_phone, int8);

CREATE CAST (ctaudience.ct_phone AS text) WITH INOUT AS ASSIGNMENT;
-- the E.164 digits as a number (every ct_phone is a valid int8; not the reverse)
CREATE CAST (ctaudience.ct_phone AS int8) WITHOUT FUNCTION;
CREATE CAST (text AS ctaudience.ct_phone) WITH INOUT AS ASSIGNMENT;
