-- catalog.deploy_project
-- Deploys a project, or a new version of it: project_stream is the packed project (zip) and
-- manifest the scaleout.project.json the CLI read from it (name, description, parameters,
-- packages with their kind, entry point, timeout and parameters). Every deployment is kept as an
-- object version with the SHA-256 of its bytes; when VERSION_CLEANUP_ENABLED is TRUE only the
-- newest MAX_PROJECT_VERSIONS are kept (never one an unfinished execution uses). Values set on
-- the server stay (internal.keep_server_parameter_values). Records a
-- deploy_project operation (101).
-- Caller: ssis_admin, or ssis_cluster_executor (internal.authorize_deployment). Output: operation_id.
-- Errors: 51000 a required argument is NULL; 51001 invalid project name, manifest or project stream (not a zip, over 256 MB); 51103 no such
-- folder.
CREATE OR REPLACE PROCEDURE catalog.deploy_project(
    folder_name varchar(128) DEFAULT NULL,
    project_name varchar(128) DEFAULT NULL,
    project_stream bytea DEFAULT NULL,
    INOUT operation_id bigint DEFAULT NULL,
    manifest text DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    error_number integer;
    error_message text := '';
    m jsonb;
    problem text;
    v_now timestamptz := pg_catalog.now();
    v_folder_id bigint;
    v_project_id bigint;
    v_is_new boolean;
    v_lsn bigint;
    v_hash char(64);
    v_max_versions integer;
BEGIN
    operation_id := NULL;

    -- Check input parameters
    IF folder_name IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@folder_name') || ' ';
    END IF;
    IF project_name IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@project_name') || ' ';
    ELSIF NOT internal.is_valid_object_name(project_name) THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@project_name', project_name, '1 to 128 characters, no leading or trailing space, none of " < > | or control characters, not starting with @') || ' ';
    END IF;
    IF project_stream IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@project_stream') || ' ';
    ELSIF length(project_stream) > 268435456
          OR substring(project_stream FROM 1 FOR 4) NOT IN ('\x504b0304'::bytea, '\x504b0506'::bytea) THEN
        -- A zip starts with a local file header (PK 3 4), an empty one with its end record (PK 5 6).
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@project_stream', '<' || length(project_stream) || ' bytes>', 'a packed project: a zip archive of at most 268435456 bytes') || ' ';
    END IF;
    IF manifest IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@manifest') || ' ';
    ELSE
        BEGIN
            m := manifest::jsonb;
        EXCEPTION WHEN others THEN
            m := NULL;
        END;
        problem := CASE
            WHEN m IS NULL OR jsonb_typeof(m) <> 'object' THEN 'it is not a JSON object'
            WHEN m->>'name' IS DISTINCT FROM project_name THEN 'its name ' || COALESCE('"' || (m->>'name') || '"', 'is missing and') || ' differs from @project_name'
            WHEN jsonb_typeof(m->'packages') IS DISTINCT FROM 'array' OR jsonb_array_length(m->'packages') = 0 THEN 'it lists no packages'
            WHEN COALESCE(jsonb_typeof(m->'parameters'), 'null') NOT IN ('null', 'array')
              OR EXISTS (SELECT 1 FROM jsonb_array_elements(m->'packages') AS pk (v)
                          WHERE jsonb_typeof(pk.v) <> 'object'
                             OR COALESCE(jsonb_typeof(pk.v->'parameters'), 'null') NOT IN ('null', 'array'))
              OR EXISTS (SELECT 1 FROM jsonb_array_elements(COALESCE(m->'parameters', '[]'::jsonb)) AS p (v)
                          WHERE jsonb_typeof(p.v) <> 'object')
              OR EXISTS (SELECT 1 FROM jsonb_array_elements(m->'packages') AS pk (v)
                          CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(pk.v->'parameters') = 'array' THEN pk.v->'parameters' ELSE '[]'::jsonb END) AS pp (v)
                          WHERE jsonb_typeof(pp.v) <> 'object') THEN 'packages and parameters must be arrays of JSON objects'
            WHEN EXISTS (SELECT 1 FROM jsonb_array_elements(m->'packages') AS pk (v)
                          WHERE COALESCE(length(pk.v->>'name'), 0) NOT BETWEEN 1 AND 260) THEN 'a package has no name or a name longer than 260 characters'
            WHEN EXISTS (SELECT 1 FROM jsonb_array_elements(m->'packages') AS pk (v)
                          WHERE COALESCE(pk.v->>'kind', '') NOT IN ('node', 'command')) THEN 'a package kind is not node or command'
            WHEN EXISTS (SELECT 1 FROM jsonb_array_elements(m->'packages') AS pk (v)
                          GROUP BY lower(pk.v->>'name') HAVING count(*) > 1) THEN 'two packages have the same name (names are compared without regard to case)'
            WHEN EXISTS (SELECT 1 FROM jsonb_array_elements(m->'packages') AS pk (v)
                          WHERE COALESCE(jsonb_typeof(pk.v->'entryPoint'), 'null') NOT IN ('boolean', 'null')) THEN 'a package entryPoint is not true or false'
            WHEN EXISTS (SELECT 1 FROM jsonb_array_elements(m->'packages') AS pk (v)
                          WHERE pk.v ? 'timeoutSeconds' AND jsonb_typeof(pk.v->'timeoutSeconds') <> 'null'
                            AND NOT ((pk.v->>'timeoutSeconds') ~ '^[0-9]{1,9}$' AND (pk.v->>'timeoutSeconds')::integer > 0)) THEN 'a package timeoutSeconds is not a positive whole number'
            WHEN EXISTS (SELECT 1 FROM (SELECT p.v FROM jsonb_array_elements(COALESCE(m->'parameters', '[]'::jsonb)) AS p (v)
                                        UNION ALL
                                        SELECT pp.v FROM jsonb_array_elements(m->'packages') AS pk (v)
                                         CROSS JOIN LATERAL jsonb_array_elements(COALESCE(pk.v->'parameters', '[]'::jsonb)) AS pp (v)) AS a
                          WHERE COALESCE(length(a.v->>'name'), 0) NOT BETWEEN 1 AND 128
                             OR COALESCE(a.v->>'type', '') NOT IN ('Boolean', 'Byte', 'DateTime', 'Decimal', 'Double', 'Int16', 'Int32', 'Int64', 'SByte', 'Single', 'String', 'UInt32', 'UInt64')
                             OR COALESCE(jsonb_typeof(a.v->'required'), 'null') NOT IN ('boolean', 'null')
                             OR COALESCE(jsonb_typeof(a.v->'sensitive'), 'null') NOT IN ('boolean', 'null')
                             OR NOT internal.is_valid_parameter_value(a.v->>'type', a.v->>'default')) THEN 'a parameter has no name, an unknown type, a required or sensitive flag that is not true or false, or a default that does not fit its type'
            WHEN EXISTS (SELECT 1 FROM jsonb_array_elements(COALESCE(m->'parameters', '[]'::jsonb)) AS p (v)
                          GROUP BY lower(p.v->>'name') HAVING count(*) > 1)
              OR EXISTS (SELECT 1 FROM jsonb_array_elements(m->'packages') AS pk (v)
                          CROSS JOIN LATERAL jsonb_array_elements(COALESCE(pk.v->'parameters', '[]'::jsonb)) AS pp (v)
                          GROUP BY lower(pk.v->>'name'), lower(pp.v->>'name') HAVING count(*) > 1) THEN 'two parameters of one object have the same name (names are compared without regard to case)'
        END;
        IF problem IS NOT NULL THEN
            error_number := COALESCE(error_number, 51001);
            error_message := error_message || internal.error_text(51001, '@manifest', left(manifest, 60), 'a scaleout.project.json manifest (' || problem || ')') || ' ';
        END IF;
    END IF;
    IF error_number IS NOT NULL THEN
        PERFORM internal.raise_error_text(error_number, error_message);
    END IF;

    SELECT f.folder_id INTO v_folder_id FROM internal.folders AS f WHERE lower(f.name) = lower(folder_name);
    IF v_folder_id IS NULL THEN
        PERFORM internal.raise_error(51103, folder_name);
    END IF;

    -- Deploy; table order: projects, object_versions, packages, object_parameters, operations
    INSERT INTO internal.projects AS p (folder_id, name, description, deployed_by_name, last_deployed_time, created_time)
    VALUES (v_folder_id, project_name, left(m->>'description', 1024), session_user, v_now, v_now)
    ON CONFLICT (folder_id, (lower(name))) DO UPDATE
       SET description = EXCLUDED.description,
           deployed_by_name = EXCLUDED.deployed_by_name,
           last_deployed_time = EXCLUDED.last_deployed_time
    RETURNING p.project_id, p.created_time = v_now INTO v_project_id, v_is_new;
    CALL internal.authorize_deployment(v_folder_id, v_project_id, v_is_new);

    v_hash := encode(sha256(project_stream), 'hex');
    INSERT INTO internal.object_versions AS v
           (object_id, object_type, object_name, description, created_by, created_time, content_hash, project_stream, manifest)
    VALUES (v_project_id, 20, project_name, left(m->>'description', 1024), session_user, v_now, v_hash, project_stream, manifest)
    RETURNING v.object_version_lsn INTO v_lsn;

    INSERT INTO internal.packages (project_version_lsn, name, description, kind, entry_point, timeout_seconds)
    SELECT v_lsn,
           pk.v->>'name',
           left(pk.v->>'description', 1024),
           pk.v->>'kind',
           COALESCE((pk.v->>'entryPoint')::boolean, true),
           (pk.v->>'timeoutSeconds')::integer
      FROM jsonb_array_elements(m->'packages') AS pk (v);

    IF EXISTS (SELECT 1
                 FROM (SELECT p.v FROM jsonb_array_elements(COALESCE(m->'parameters', '[]'::jsonb)) AS p (v)
                       UNION ALL
                       SELECT pp.v
                         FROM jsonb_array_elements(m->'packages') AS pk (v)
                        CROSS JOIN LATERAL jsonb_array_elements(COALESCE(pk.v->'parameters', '[]'::jsonb)) AS pp (v)) AS a
                WHERE (a.v->>'sensitive')::boolean AND a.v->>'default' IS NOT NULL) THEN
        CALL internal.open_protection_key('a sensitive default of @manifest');
    END IF;
    INSERT INTO internal.object_parameters
           (project_version_lsn, object_type, object_name, parameter_name, data_type, required, sensitive, description,
            design_default_value, default_value, value_set)
    SELECT v_lsn, a.object_type, a.object_name, a.v->>'name', a.v->>'type',
           COALESCE((a.v->>'required')::boolean, false), COALESCE((a.v->>'sensitive')::boolean, false),
           left(a.v->>'description', 1024),
           -- A sensitive default is stored encrypted (internal.protect_value), like every sensitive value.
           CASE WHEN (a.v->>'sensitive')::boolean THEN internal.protect_value(a.v->>'default') ELSE a.v->>'default' END,
           CASE WHEN (a.v->>'sensitive')::boolean THEN internal.protect_value(a.v->>'default') ELSE a.v->>'default' END,
           (a.v->>'default') IS NOT NULL
      FROM (SELECT 20::smallint AS object_type, project_name::text AS object_name, p.v
              FROM jsonb_array_elements(COALESCE(m->'parameters', '[]'::jsonb)) AS p (v)
            UNION ALL
            SELECT 30::smallint, pk.v->>'name', pp.v
              FROM jsonb_array_elements(m->'packages') AS pk (v)
             CROSS JOIN LATERAL jsonb_array_elements(COALESCE(pk.v->'parameters', '[]'::jsonb)) AS pp (v)) AS a;

    CALL internal.keep_server_parameter_values(v_project_id, v_lsn);

    UPDATE internal.projects AS p
       SET object_version_lsn = v_lsn
     WHERE p.project_id = v_project_id;

    -- Keep the newest MAX_PROJECT_VERSIONS versions, and every version an unfinished execution uses.
    IF (SELECT upper(cp.property_value) FROM internal.catalog_properties AS cp WHERE cp.property_name = 'VERSION_CLEANUP_ENABLED') = 'TRUE' THEN
        SELECT COALESCE(CASE WHEN cp.property_value ~ '^[0-9]{1,9}$' THEN cp.property_value::integer END, 10)
          INTO v_max_versions
          FROM internal.catalog_properties AS cp
         WHERE cp.property_name = 'MAX_PROJECT_VERSIONS';
        DELETE FROM internal.object_versions AS v
         WHERE v.object_id = v_project_id
           AND v.object_version_lsn IN (SELECT x.object_version_lsn
                                          FROM (SELECT v2.object_version_lsn,
                                                       row_number() OVER (ORDER BY v2.object_version_lsn DESC) AS rn
                                                  FROM internal.object_versions AS v2
                                                 WHERE v2.object_id = v_project_id) AS x
                                         WHERE x.rn > COALESCE(v_max_versions, 10))
           AND NOT EXISTS (SELECT 1
                             FROM internal.executions AS e
                             JOIN internal.operations AS o ON o.operation_id = e.execution_id
                            WHERE e.project_lsn = v.object_version_lsn
                              AND o.status IN (1, 2, 5, 8));
    END IF;

    INSERT INTO internal.operations AS o
           (operation_type, created_time, object_type, object_id, object_name, status, start_time, end_time, caller_name, server_name, machine_name)
    VALUES (101, v_now, 20, v_project_id, project_name, 7, v_now, v_now, session_user, current_database(), '')
    RETURNING o.operation_id INTO operation_id;
END;
$$;
