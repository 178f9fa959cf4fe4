-- The data of a ctaudience 0.1.0 installation after test/cluster/fixture.sql,
-- made by test/make-upgrade-fixture.sh with the library of release 0.1.0.
--
-- PostgreSQL database dump
--

\restrict 4iouernIZTG5mbdwL19zk0OEf5SJ7VlRZ3TvYv2PGLobYcIWc5Df3aDAT7Zsujo

-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Data for Name: ct_dsr_request; Type: TABLE DATA; Schema: ctaudience; Owner: postgres
--

COPY ctaudience.ct_dsr_request (project_id, message_id, subject_request_id, request_type, regulation, received_at, profiles_erased) FROM stdin;
DEMO-PROJECT	00000000-0000-4000-8000-000000000105	dsr-1	erasure	gdpr	2026-11-30 05:39:57.674806+00	1
\.


--
-- Data for Name: ct_event; Type: TABLE DATA; Schema: ctaudience; Owner: postgres
--

COPY ctaudience.ct_event (project_id, ct_id, event_id, event_name, ts, props) FROM stdin;
DEMO-PROJECT	01a22af792360b544a3489884da43d46	1	Partner Sync	2024-10-27 03:33:20+00	{"Action": "Added", "CT Source": "mParticle", "Partner Name": "mParticle", "Partner Segment ID": 47444, "Partner Segment Name": "Cart Drop off"}
DEMO-PROJECT	01a22af7923643f0474c4b516e44a622	2	Partner Sync	2024-10-27 03:33:20+00	{"Action": "Added", "CT Source": "mParticle", "Partner Name": "mParticle", "Partner Segment ID": 47444, "Partner Segment Name": "Cart Drop off"}
DEMO-PROJECT	__ct_ada_01	4	Partner Sync	2024-10-27 03:33:20+00	{"Action": "Added", "CT Source": "mParticle", "Partner Name": "mParticle", "Partner Segment ID": 47444, "Partner Segment Name": "Cart Drop off"}
DEMO-PROJECT	__ct_kj_08	5	Partner Sync	2024-10-27 03:33:20+00	{"Action": "Added", "CT Source": "mParticle", "Partner Name": "mParticle", "Partner Segment ID": 47444, "Partner Segment Name": "Cart Drop off"}
DEMO-PROJECT	01a22af792363a923c7a3bb4c09f5b0a	6	Partner Sync	2024-10-27 03:33:20+00	{"Action": "Added", "CT Source": "mParticle", "Partner Name": "mParticle", "Partner Segment ID": 51210, "Partner Segment Name": "Bangalore app users"}
DEMO-PROJECT	01a22af792369f94e24f688ab6837782	8	Partner Sync	2024-10-27 03:33:20+00	{"Action": "Added", "CT Source": "mParticle", "Partner Name": "mParticle", "Partner Segment ID": 51210, "Partner Segment Name": "Bangalore app users"}
DEMO-PROJECT	01a22af79236dd7c93faabf64ce4fb46	9	Partner Sync	2024-10-27 03:33:20+00	{"Action": "Added", "CT Source": "mParticle", "Partner Name": "mParticle", "Partner Segment ID": 51210, "Partner Segment Name": "Bangalore app users"}
DEMO-PROJECT	__ct_kj_08	10	Partner Sync	2024-10-27 03:33:20+00	{"Action": "Added", "CT Source": "mParticle", "Partner Name": "mParticle", "Partner Segment ID": 51210, "Partner Segment Name": "Bangalore app users"}
DEMO-PROJECT	01a22af792363a923c7a3bb4c09f5b0a	11	Partner Sync	2024-10-28 03:33:20+00	{"Action": "Added", "CT Source": "mParticle", "Partner Name": "mParticle", "Partner Segment ID": 47444, "Partner Segment Name": "Cart Drop off"}
DEMO-PROJECT	01a22af792360b544a3489884da43d46	12	Partner Sync	2024-10-28 03:33:20+00	{"Action": "Removed", "CT Source": "mParticle", "Partner Name": "mParticle", "Partner Segment ID": 47444, "Partner Segment Name": "Cart Drop off"}
DEMO-PROJECT	01a22af7923643f0474c4b516e44a622	13	Partner Sync	2024-10-28 03:33:20+00	{"Action": "Removed", "CT Source": "mParticle", "Partner Name": "mParticle", "Partner Segment ID": 47444, "Partner Segment Name": "Cart Drop off"}
DEMO-PROJECT	01a22af7925fd1ebbeaa0ec82f0dee35	14	Partner Sync	2024-10-29 11:06:42+00	{"Action": "Added", "CT Source": "mParticle", "Partner Name": "mParticle", "Partner Segment ID": 60001, "Partner Segment Name": "VIP by email"}
OTHER-PROJECT	01a22af7926662f15662d8e54f38b36a	15	Partner Sync	2024-10-29 11:06:43+00	{"Action": "Added", "CT Source": "mParticle", "Partner Name": "mParticle", "Partner Segment ID": 70001, "Partner Segment Name": "Other audience"}
OTHER-PROJECT	01a22af7926668f3bf26b9fb71a61a57	16	Partner Sync	2024-10-29 11:06:43+00	{"Action": "Added", "CT Source": "mParticle", "Partner Name": "mParticle", "Partner Segment ID": 70001, "Partner Segment Name": "Other audience"}
OTHER-PROJECT	01a22af7926f1884b9c6e6e4890e9c02	17	Partner Sync	2024-10-29 11:06:45+00	{"Action": "Added", "CT Source": "mParticle", "Partner Name": "mParticle", "Partner Segment ID": 70001, "Partner Segment Name": "Other audience"}
\.


--
-- Data for Name: ct_import_sample; Type: TABLE DATA; Schema: ctaudience; Owner: postgres
--

COPY ctaudience.ct_import_sample (project_id, message_id, n, reason, profile_index, audience_id, mpid, path) FROM stdin;
DEMO-PROJECT	d3e0c9a4-5b1f-4e2a-9c7d-000000000001	1	hashed_only	5	\N	1208833410023344560	user_profiles[5]
DEMO-PROJECT	d3e0c9a4-5b1f-4e2a-9c7d-000000000001	2	anonymous	6	\N	1208833410023344561	user_profiles[6]
DEMO-PROJECT	d3e0c9a4-5b1f-4e2a-9c7d-000000000001	3	invalid_email	8	\N	1208833410023344563	user_profiles[8]
DEMO-PROJECT	d3e0c9a4-5b1f-4e2a-9c7d-000000000003	1	stale	0	47444	1208833410023344557	user_profiles[0].audiences[0]
DEMO-PROJECT	00000000-0000-4000-8000-000000000103	1	hashed_only	2	\N	9003	user_profiles[2]
\.


--
-- Data for Name: ct_inbox; Type: TABLE DATA; Schema: ctaudience; Owner: postgres
--

COPY ctaudience.ct_inbox (project_id, inbox_id, message_type, message_id, body, status, attempts, enqueued_at, next_attempt_at, processed_at, response, last_sqlstate, last_error) FROM stdin;
OTHER-PROJECT	1	audience_membership_change_request	00000000-0000-4000-8000-000000000106	{"id": "00000000-0000-4000-8000-000000000106", "type": "audience_membership_change_request", "account": {"account_id": 7001, "account_settings": {"region": "us1", "accountId": "OTHER-PROJECT", "accountToken": "other-token"}}, "timestamp_ms": 1730200005000, "user_profiles": [{"mpid": "8003", "audiences": [{"action": "add", "audience_id": 70001, "audience_name": "Other audience"}], "user_identities": [{"type": "customer", "value": "o-3", "encoding": "raw"}]}], "firehose_version": "3.2.0"}	done	1	2026-11-30 05:39:57.676311+00	2026-11-30 05:39:57.676311+00	2026-11-30 05:39:57.679788+00	{"id": "00000000-0000-4000-8000-000000000106", "type": "audience_membership_change_response", "ctaudience": {"added": 1, "stale": 0, "refused": 0, "removed": 0, "profiles": 1, "rejected": 0, "anonymous": 0, "unchanged": 0, "hashed_only": 0, "invalid_email": 0, "invalid_phone": 0, "created_profiles": 1, "duplicate_message": 0, "forbidden_identity": 0, "identity_conflicts": 0, "invalid_attributes": 0}, "timestamp_ms": 1796017197679, "firehose_version": "3.2.0", "suspend_subscription": false}	\N	\N
OTHER-PROJECT	2	audience_membership_change_request	00000000-0000-4000-8000-000000000107	{"id": "00000000-0000-4000-8000-000000000107", "type": "audience_membership_change_request", "account": {"account_id": 7001, "account_settings": {"region": "us1", "accountId": "OTHER-PROJECT", "accountToken": "other-token"}}, "timestamp_ms": 1730200006000, "user_profiles": [{"mpid": "8004", "audiences": [{"action": "add", "audience_id": 70002, "audience_name": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}], "user_identities": [{"type": "customer", "value": "o-4", "encoding": "raw"}]}], "firehose_version": "3.2.0"}	dead	1	2026-11-30 05:39:57.678066+00	2026-11-30 05:40:57.680114+00	2026-11-30 05:39:57.680114+00	\N	22023	invalid Firehose message: audience name is 600 bytes long; the limit is 512 bytes (The problem is at JSON path user_profiles[0].audiences[0].audience_name.)
OTHER-PROJECT	3	audience_membership_change_request	00000000-0000-4000-8000-000000000108	{"id": "00000000-0000-4000-8000-000000000108", "type": "audience_membership_change_request", "account": {"account_id": 7001, "account_settings": {"region": "us1", "accountId": "OTHER-PROJECT", "accountToken": "other-token"}}, "timestamp_ms": 1730200007000, "user_profiles": [{"mpid": "8001", "audiences": [{"action": "delete", "audience_id": 70001, "audience_name": "Other audience"}], "user_identities": [{"type": "customer", "value": "o-1", "encoding": "raw"}]}], "firehose_version": "3.2.0"}	pending	0	2026-11-30 05:39:57.680924+00	2026-11-30 05:39:57.680924+00	\N	\N	\N	\N
\.


--
-- Data for Name: ct_message; Type: TABLE DATA; Schema: ctaudience; Owner: postgres
--

COPY ctaudience.ct_message (project_id, message_id, message_type, message_ts, received_at, duration, counts, response) FROM stdin;
DEMO-PROJECT	d3e0c9a4-5b1f-4e2a-9c7d-000000000001	audience_membership_change_request	2024-10-27 03:33:20+00	2026-11-30 05:39:57.612457+00	00:00:00.014726	{"added": 10, "stale": 0, "refused": 0, "removed": 0, "profiles": 10, "rejected": 0, "anonymous": 2, "unchanged": 0, "hashed_only": 1, "invalid_email": 1, "invalid_phone": 0, "created_profiles": 8, "duplicate_message": 0, "forbidden_identity": 0, "identity_conflicts": 0, "invalid_attributes": 0}	{"id": "d3e0c9a4-5b1f-4e2a-9c7d-000000000001", "type": "audience_membership_change_response", "ctaudience": {"added": 10, "stale": 0, "refused": 0, "removed": 0, "profiles": 10, "rejected": 0, "anonymous": 2, "unchanged": 0, "hashed_only": 1, "invalid_email": 1, "invalid_phone": 0, "created_profiles": 8, "duplicate_message": 0, "forbidden_identity": 0, "identity_conflicts": 0, "invalid_attributes": 0}, "timestamp_ms": 1796017197626, "firehose_version": "3.2.0", "suspend_subscription": false}
DEMO-PROJECT	d3e0c9a4-5b1f-4e2a-9c7d-000000000002	audience_membership_change_request	2024-10-28 03:33:20+00	2026-11-30 05:39:57.637287+00	00:00:00.003542	{"added": 1, "stale": 0, "refused": 0, "removed": 2, "profiles": 3, "rejected": 0, "anonymous": 0, "unchanged": 0, "hashed_only": 0, "invalid_email": 0, "invalid_phone": 0, "created_profiles": 0, "duplicate_message": 0, "forbidden_identity": 0, "identity_conflicts": 0, "invalid_attributes": 0}	{"id": "d3e0c9a4-5b1f-4e2a-9c7d-000000000002", "type": "audience_membership_change_response", "ctaudience": {"added": 1, "stale": 0, "refused": 0, "removed": 2, "profiles": 3, "rejected": 0, "anonymous": 0, "unchanged": 0, "hashed_only": 0, "invalid_email": 0, "invalid_phone": 0, "created_profiles": 0, "duplicate_message": 0, "forbidden_identity": 0, "identity_conflicts": 0, "invalid_attributes": 0}, "timestamp_ms": 1796017197640, "firehose_version": "3.2.0", "suspend_subscription": false}
DEMO-PROJECT	d3e0c9a4-5b1f-4e2a-9c7d-000000000003	audience_membership_change_request	2024-10-27 15:33:20+00	2026-11-30 05:39:57.649446+00	00:00:00.000975	{"added": 0, "stale": 1, "refused": 0, "removed": 0, "profiles": 1, "rejected": 0, "anonymous": 0, "unchanged": 0, "hashed_only": 0, "invalid_email": 0, "invalid_phone": 0, "created_profiles": 0, "duplicate_message": 0, "forbidden_identity": 0, "identity_conflicts": 0, "invalid_attributes": 0}	{"id": "d3e0c9a4-5b1f-4e2a-9c7d-000000000003", "type": "audience_membership_change_response", "ctaudience": {"added": 0, "stale": 1, "refused": 0, "removed": 0, "profiles": 1, "rejected": 0, "anonymous": 0, "unchanged": 0, "hashed_only": 0, "invalid_email": 0, "invalid_phone": 0, "created_profiles": 0, "duplicate_message": 0, "forbidden_identity": 0, "identity_conflicts": 0, "invalid_attributes": 0}, "timestamp_ms": 1796017197650, "firehose_version": "3.2.0", "suspend_subscription": false}
DEMO-PROJECT	d3e0c9a4-5b1f-4e2a-9c7d-000000000004	audience_membership_change_request	2024-10-29 03:33:20+00	2026-11-30 05:39:57.658562+00	00:00:00.000893	{"added": 0, "stale": 0, "refused": 0, "removed": 0, "profiles": 1, "rejected": 0, "anonymous": 0, "unchanged": 1, "hashed_only": 0, "invalid_email": 0, "invalid_phone": 0, "created_profiles": 0, "duplicate_message": 0, "forbidden_identity": 0, "identity_conflicts": 0, "invalid_attributes": 0}	{"id": "d3e0c9a4-5b1f-4e2a-9c7d-000000000004", "type": "audience_membership_change_response", "ctaudience": {"added": 0, "stale": 0, "refused": 0, "removed": 0, "profiles": 1, "rejected": 0, "anonymous": 0, "unchanged": 1, "hashed_only": 0, "invalid_email": 0, "invalid_phone": 0, "created_profiles": 0, "duplicate_message": 0, "forbidden_identity": 0, "identity_conflicts": 0, "invalid_attributes": 0}, "timestamp_ms": 1796017197659, "firehose_version": "3.2.0", "suspend_subscription": false}
DEMO-PROJECT	00000000-0000-4000-8000-000000000101	audience_subscription_request	2024-10-29 11:06:40+00	2026-11-30 05:39:57.660727+00	00:00:00.000592	{"action": "add", "segment_id": 3}	{"id": "00000000-0000-4000-8000-000000000101", "type": "audience_subscription_response", "ctaudience": {"action": "add", "status": "active", "segment_id": 3, "audience_id": 60001, "user_id_field": "email"}, "timestamp_ms": 1796017197661, "firehose_version": "3.2.0", "audience_subscription_settings": {"userIdField": "email"}}
DEMO-PROJECT	00000000-0000-4000-8000-000000000102	audience_subscription_request	2024-10-29 11:06:41+00	2026-11-30 05:39:57.662287+00	00:00:00.000237	{"action": "update", "segment_id": 1}	{"id": "00000000-0000-4000-8000-000000000102", "type": "audience_subscription_response", "ctaudience": {"action": "update", "status": "active", "segment_id": 1, "audience_id": 47444, "user_id_field": "customer"}, "timestamp_ms": 1796017197662, "firehose_version": "3.2.0", "audience_subscription_settings": {}}
DEMO-PROJECT	00000000-0000-4000-8000-000000000103	audience_membership_change_request	2024-10-29 11:06:42+00	2026-11-30 05:39:57.663381+00	00:00:00.001124	{"added": 1, "stale": 0, "refused": 0, "removed": 0, "profiles": 3, "rejected": 0, "anonymous": 1, "unchanged": 0, "hashed_only": 1, "invalid_email": 0, "invalid_phone": 0, "created_profiles": 1, "duplicate_message": 0, "forbidden_identity": 0, "identity_conflicts": 0, "invalid_attributes": 0}	{"id": "00000000-0000-4000-8000-000000000103", "type": "audience_membership_change_response", "ctaudience": {"added": 1, "stale": 0, "refused": 0, "removed": 0, "profiles": 3, "rejected": 0, "anonymous": 1, "unchanged": 0, "hashed_only": 1, "invalid_email": 0, "invalid_phone": 0, "created_profiles": 1, "duplicate_message": 0, "forbidden_identity": 0, "identity_conflicts": 0, "invalid_attributes": 0}, "timestamp_ms": 1796017197664, "firehose_version": "3.2.0", "suspend_subscription": false}
OTHER-PROJECT	00000000-0000-4000-8000-000000000104	audience_membership_change_request	2024-10-29 11:06:43+00	2026-11-30 05:39:57.665382+00	00:00:00.004939	{"added": 2, "stale": 0, "refused": 0, "removed": 0, "profiles": 2, "rejected": 0, "anonymous": 0, "unchanged": 0, "hashed_only": 0, "invalid_email": 0, "invalid_phone": 0, "created_profiles": 2, "duplicate_message": 0, "forbidden_identity": 0, "identity_conflicts": 0, "invalid_attributes": 0}	{"id": "00000000-0000-4000-8000-000000000104", "type": "audience_membership_change_response", "ctaudience": {"added": 2, "stale": 0, "refused": 0, "removed": 0, "profiles": 2, "rejected": 0, "anonymous": 0, "unchanged": 0, "hashed_only": 0, "invalid_email": 0, "invalid_phone": 0, "created_profiles": 2, "duplicate_message": 0, "forbidden_identity": 0, "identity_conflicts": 0, "invalid_attributes": 0}, "timestamp_ms": 1796017197670, "firehose_version": "3.2.0", "suspend_subscription": false}
DEMO-PROJECT	00000000-0000-4000-8000-000000000105	dsr_processing_request	2024-10-29 11:06:44+00	2026-11-30 05:39:57.672279+00	00:00:00.002877	{"profiles_erased": 1}	{"id": "00000000-0000-4000-8000-000000000105", "type": "dsr_processing_response", "ctaudience": {"profiles_erased": 1}, "timestamp_ms": 1796017197675, "firehose_version": "3.2.0"}
OTHER-PROJECT	00000000-0000-4000-8000-000000000106	audience_membership_change_request	2024-10-29 11:06:45+00	2026-11-30 05:39:57.679305+00	00:00:00.000307	{"added": 1, "stale": 0, "refused": 0, "removed": 0, "profiles": 1, "rejected": 0, "anonymous": 0, "unchanged": 0, "hashed_only": 0, "invalid_email": 0, "invalid_phone": 0, "created_profiles": 1, "duplicate_message": 0, "forbidden_identity": 0, "identity_conflicts": 0, "invalid_attributes": 0}	{"id": "00000000-0000-4000-8000-000000000106", "type": "audience_membership_change_response", "ctaudience": {"added": 1, "stale": 0, "refused": 0, "removed": 0, "profiles": 1, "rejected": 0, "anonymous": 0, "unchanged": 0, "hashed_only": 0, "invalid_email": 0, "invalid_phone": 0, "created_profiles": 1, "duplicate_message": 0, "forbidden_identity": 0, "identity_conflicts": 0, "invalid_attributes": 0}, "timestamp_ms": 1796017197679, "firehose_version": "3.2.0", "suspend_subscription": false}
\.


--
-- Data for Name: ct_profile; Type: TABLE DATA; Schema: ctaudience; Owner: postgres
--

COPY ctaudience.ct_profile (project_id, ct_id, identity, email, phone, mparticle_id, properties, email_ts, phone_ts, created_at, updated_at) FROM stdin;
DEMO-PROJECT	__ct_kj_08	cust-1008	katherine@example.org	\N	1208833410023344562	{}	2024-10-27 03:33:20+00	\N	2026-11-30 05:39:57.612074+00	2026-11-30 05:39:57.612074+00
DEMO-PROJECT	01a22af792369f94e24f688ab6837782	cust-1009	\N	\N	1208833410023344563	{}	\N	\N	2026-11-30 05:39:57.612074+00	2026-11-30 05:39:57.612074+00
DEMO-PROJECT	01a22af792360b544a3489884da43d46	cust-1010	margaret@example.com	+12125550123	1208833410023344564	{}	2024-10-28 03:33:20+00	2024-10-28 03:33:20+00	2026-11-30 05:39:57.612074+00	2026-11-30 05:39:57.6371+00
DEMO-PROJECT	01a22af792363a923c7a3bb4c09f5b0a	1208833410023344558	\N	+918023456789	1208833410023344558	{}	\N	2024-10-28 03:33:20+00	2026-11-30 05:39:57.612074+00	2026-11-30 05:39:57.6371+00
DEMO-PROJECT	01a22af7923643f0474c4b516e44a622	1208833410023344557	alan@example.com	+14155552671	1208833410023344557	{}	2024-10-28 03:33:20+00	2024-10-28 03:33:20+00	2026-11-30 05:39:57.612074+00	2026-11-30 05:39:57.6371+00
DEMO-PROJECT	01a22af79236dd7c93faabf64ce4fb46	cust-1005	\N	+919845012345	1208833410023344559	{}	\N	2024-10-29 03:33:20+00	2026-11-30 05:39:57.612074+00	2026-11-30 05:39:57.658481+00
DEMO-PROJECT	01a22af7925fd1ebbeaa0ec82f0dee35	vip.one@example.com	vip.one@example.com	\N	9001	{"plan": "gold", "tags": ["a", "b"]}	2024-10-29 11:06:42+00	\N	2026-11-30 05:39:57.663209+00	2026-11-30 05:39:57.663209+00
DEMO-PROJECT	__ct_ada_01	cust-1001	ada.lovelace@example.org	+442079460958	9002	{"tier": "2"}	2024-10-27 03:33:20+00	2024-10-27 03:33:20+00	2026-11-30 05:39:57.612074+00	2026-11-30 05:39:57.663209+00
OTHER-PROJECT	01a22af7926668f3bf26b9fb71a61a57	o-1	\N	+14155550100	8001	{}	\N	2024-10-29 11:06:43+00	2026-11-30 05:39:57.665094+00	2026-11-30 05:39:57.665094+00
OTHER-PROJECT	01a22af7926662f15662d8e54f38b36a	o-2	o2@example.com	\N	8002	{}	2024-10-29 11:06:43+00	\N	2026-11-30 05:39:57.665094+00	2026-11-30 05:39:57.665094+00
OTHER-PROJECT	01a22af7926f1884b9c6e6e4890e9c02	o-3	\N	\N	8003	{}	\N	\N	2026-11-30 05:39:57.678786+00	2026-11-30 05:39:57.678786+00
\.


--
-- Data for Name: ct_project; Type: TABLE DATA; Schema: ctaudience; Owner: postgres
--

COPY ctaudience.ct_project (project_id, name, region, account_token, passcode_hash, passcode_expires_at, default_country, created_at, updated_at) FROM stdin;
DEMO-PROJECT	Demo project	eu1	demo-token	pbkdf2-sha256$4096$f05f8e0ec8c55a60349f4e062173ac9a$84440a107bf28de5f0ec566f72c2ba2872297dc717636427846d6116146a41b6	\N	IN	2026-11-30 05:39:57.549279+00	2026-11-30 05:39:57.549279+00
OTHER-PROJECT	Other project	us1	other-token	pbkdf2-sha256$4096$412b8c1dba90a2292104d1d898b85d1b$6d43d60ed38d4f71d0f9fe4711c581240939d6579de89018c86f2c7f66db96a3	2099-01-01 00:00:00+00	US	2026-11-30 05:39:57.594289+00	2026-11-30 05:39:57.594289+00
\.


--
-- Data for Name: ct_segment; Type: TABLE DATA; Schema: ctaudience; Owner: postgres
--

COPY ctaudience.ct_segment (project_id, segment_id, name, type, partner_name, partner_segment_id, status, user_id_field, settings, name_ts, status_ts, created_at, updated_at) FROM stdin;
DEMO-PROJECT	3	VIP by email	Partner - mParticle	mParticle	60001	active	email	{"userIdField": "email"}	2024-10-29 11:06:40+00	2024-10-29 11:06:40+00	2026-11-30 05:39:57.660406+00	2026-11-30 05:39:57.660406+00
DEMO-PROJECT	1	Cart Drop off (renamed)	Partner - mParticle	mParticle	47444	active	\N	{}	2024-10-29 11:06:41+00	2024-10-29 11:06:41+00	2026-11-30 05:39:57.612074+00	2026-11-30 05:39:57.662017+00
DEMO-PROJECT	2	Big spenders	Partner - mParticle	mParticle	51210	active	\N	{}	2024-10-29 11:06:42+00	\N	2026-11-30 05:39:57.612074+00	2026-11-30 05:39:57.663209+00
OTHER-PROJECT	5	Other audience	Partner - mParticle	mParticle	70001	active	\N	{}	2024-10-29 11:06:43+00	\N	2026-11-30 05:39:57.665094+00	2026-11-30 05:39:57.665094+00
\.


--
-- Data for Name: ct_segment_delta; Type: TABLE DATA; Schema: ctaudience; Owner: postgres
--

COPY ctaudience.ct_segment_delta (project_id, segment_id, bucket, members, reachable_email, reachable_phone, added, removed, last_sync_at) FROM stdin;
DEMO-PROJECT	1	2024-10-27 03:00:00+00	5	5	3	5	0	2024-10-27 03:33:20+00
DEMO-PROJECT	2	2024-10-27 03:00:00+00	5	2	2	5	0	2024-10-27 03:33:20+00
DEMO-PROJECT	1	2024-10-28 03:00:00+00	1	0	1	1	0	2024-10-28 03:33:20+00
DEMO-PROJECT	1	2024-10-28 03:00:00+00	-2	-2	-2	0	2	2024-10-28 03:33:20+00
DEMO-PROJECT	2	2024-10-29 03:00:00+00	0	0	0	0	0	2024-10-29 03:33:20+00
DEMO-PROJECT	3	2024-10-29 11:00:00+00	1	1	0	1	0	2024-10-29 11:06:42+00
DEMO-PROJECT	1	2026-11-30 05:00:00+00	-1	-1	0	0	0	\N
DEMO-PROJECT	2	2026-11-30 05:00:00+00	-1	-1	0	0	0	\N
OTHER-PROJECT	5	2024-10-29 00:00:00+00	3	1	1	3	0	2024-10-29 11:06:45+00
\.


--
-- Data for Name: ct_segment_member; Type: TABLE DATA; Schema: ctaudience; Owner: postgres
--

COPY ctaudience.ct_segment_member (project_id, segment_id, ct_id, is_member, stated_at) FROM stdin;
DEMO-PROJECT	1	__ct_ada_01	t	2024-10-27 03:33:20+00
DEMO-PROJECT	1	__ct_kj_08	t	2024-10-27 03:33:20+00
DEMO-PROJECT	2	01a22af792363a923c7a3bb4c09f5b0a	t	2024-10-27 03:33:20+00
DEMO-PROJECT	2	01a22af792369f94e24f688ab6837782	t	2024-10-27 03:33:20+00
DEMO-PROJECT	2	__ct_kj_08	t	2024-10-27 03:33:20+00
DEMO-PROJECT	1	01a22af792363a923c7a3bb4c09f5b0a	t	2024-10-28 03:33:20+00
DEMO-PROJECT	1	01a22af792360b544a3489884da43d46	f	2024-10-28 03:33:20+00
DEMO-PROJECT	1	01a22af7923643f0474c4b516e44a622	f	2024-10-28 03:33:20+00
DEMO-PROJECT	2	01a22af79236dd7c93faabf64ce4fb46	t	2024-10-29 03:33:20+00
DEMO-PROJECT	3	01a22af7925fd1ebbeaa0ec82f0dee35	t	2024-10-29 11:06:42+00
OTHER-PROJECT	5	01a22af7926662f15662d8e54f38b36a	t	2024-10-29 11:06:43+00
OTHER-PROJECT	5	01a22af7926668f3bf26b9fb71a61a57	t	2024-10-29 11:06:43+00
OTHER-PROJECT	5	01a22af7926f1884b9c6e6e4890e9c02	t	2024-10-29 11:06:45+00
\.


--
-- Data for Name: ct_usage_delta; Type: TABLE DATA; Schema: ctaudience; Owner: postgres
--

COPY ctaudience.ct_usage_delta (project_id, month, events, data_points, profile_updates) FROM stdin;
DEMO-PROJECT	2024-10-01	0	0	10
DEMO-PROJECT	2024-10-01	10	60	0
DEMO-PROJECT	2024-10-01	1	6	0
DEMO-PROJECT	2024-10-01	2	12	0
DEMO-PROJECT	2024-10-01	0	0	1
DEMO-PROJECT	2024-10-01	1	6	0
OTHER-PROJECT	2024-10-01	3	18	2
\.


--
-- Name: ct_event_event_id_seq; Type: SEQUENCE SET; Schema: ctaudience; Owner: postgres
--

SELECT pg_catalog.setval('ctaudience.ct_event_event_id_seq', 1000, true);


--
-- Name: ct_inbox_inbox_id_seq; Type: SEQUENCE SET; Schema: ctaudience; Owner: postgres
--

SELECT pg_catalog.setval('ctaudience.ct_inbox_inbox_id_seq', 3, true);


--
-- Name: ct_segment_segment_id_seq; Type: SEQUENCE SET; Schema: ctaudience; Owner: postgres
--

SELECT pg_catalog.setval('ctaudience.ct_segment_segment_id_seq', 5, true);


--
-- PostgreSQL database dump complete
--

\unrestrict 4iouernIZTG5mbdwL19zk0OEf5SJ7VlRZ3TvYv2PGLobYcIWc5Df3aDAT7Zsujo

