CREATE INDEX ct_import_sample_mpid_idx ON ctaudience.ct_import_sample (project_id, mpid) WHERE mpid IS NOT NULL;
