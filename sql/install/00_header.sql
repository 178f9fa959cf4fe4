-- ctaudience install script, assembled by the Makefile from sql/install/*.sql.
-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION ctaudience" to load this file. \quit
