-- catalog.create_folder
-- Creates a folder for projects. Names: 1 to 128 characters, no leading or trailing space, none of
-- " < > | or control characters, not starting with @.
-- Caller: DBA (ssis_admin). Output: folder_id.
-- Errors: 51000 folder_name is NULL; 51001 invalid name; 51204 the folder exists.
CREATE OR REPLACE PROCEDURE catalog.create_folder(
    folder_name varchar(128) DEFAULT NULL,
    INOUT folder_id bigint DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
BEGIN
    -- Check input parameters
    IF folder_name IS NULL THEN
        PERFORM internal.raise_error(51000, '@folder_name');
    END IF;
    IF NOT internal.is_valid_object_name(folder_name) THEN
        PERFORM internal.raise_error(51001, '@folder_name', folder_name, '1 to 128 characters, no leading or trailing space, none of " < > | or control characters, not starting with @');
    END IF;

    -- Create; table: folders
    folder_id := NULL;
    INSERT INTO internal.folders AS f (name, created_by_name)
    VALUES (folder_name, session_user)
    ON CONFLICT ((lower(name))) DO NOTHING
    RETURNING f.folder_id INTO folder_id;

    IF folder_id IS NULL THEN
        PERFORM internal.raise_error(51204, folder_name);
    END IF;
    -- Its creator may manage who may do what in it, as in SSIS.
    CALL internal.grant_creator_permissions(1, folder_id);
END;
$$;
