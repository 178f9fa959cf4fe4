COMMENT ON FUNCTION ctaudience.ct_requeue(bigint) IS
	'put a dead-lettered inbox message back in the queue, with its attempts reset; false when it is not dead';
