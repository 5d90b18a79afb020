-- 0009_case_insensitive_names
-- Folder, project, package and parameter names compare without regard to case, as in SSISDB
-- (whose catalog collation is case-insensitive): 'finance' finds folder Finance, and packages Load
-- and load cannot coexist in one project. Unique indexes on lower(name) replace the exact unique
-- constraints, and the procedures look names up by lower(name). (A nondeterministic ICU collation
-- would do it in one place, but the embedded catalog's ICU compares case-sensitively.)
-- A catalog holding two names that differ only by case stops here, naming the index: rename one.
-- Released steps are never edited: fix forward with a new step.

ALTER TABLE internal.folders DROP CONSTRAINT uq_folders_name;
CREATE UNIQUE INDEX ux_folders_name ON internal.folders (lower(name));

ALTER TABLE internal.projects DROP CONSTRAINT uq_projects_folder_name;
CREATE UNIQUE INDEX ux_projects_folder_name ON internal.projects (folder_id, lower(name));

ALTER TABLE internal.packages DROP CONSTRAINT uq_packages_version_name;
CREATE UNIQUE INDEX ux_packages_version_name ON internal.packages (project_version_lsn, lower(name));

ALTER TABLE internal.object_parameters DROP CONSTRAINT uq_object_parameters_name;
CREATE UNIQUE INDEX ux_object_parameters_name
    ON internal.object_parameters (project_version_lsn, object_type, lower(object_name), lower(parameter_name));

ALTER TABLE internal.execution_parameter_values DROP CONSTRAINT uq_execution_parameter_values_name;
CREATE UNIQUE INDEX ux_execution_parameter_values_name
    ON internal.execution_parameter_values (execution_id, object_type, lower(parameter_name));
