-- 0010_psql_friendly_parameters
-- SSIS's calls as psql users type them: bit parameters (use32bitruntime, runinscaleout,
-- useanyworker, IsEnabled, Force) and SSIS's sql_variant values (parameter_value, property_value,
-- PropertyValue) become anycompatible, so that 1, 0, true, 20 and '…' are all taken; object_type
-- becomes integer, so that 20 needs no ::smallint. A PL/pgSQL signature cannot change in place:
-- the old ones are dropped here and the object files create the new ones after this step.
-- Hints that name a T-SQL call say it in PostgreSQL's form.
-- Released steps are never edited: fix forward with a new step.

DROP PROCEDURE IF EXISTS catalog.create_execution(varchar, varchar, varchar, bigint, boolean, boolean, boolean, bigint, integer, text, integer);
DROP PROCEDURE IF EXISTS catalog.add_worker_agent(uuid, varchar, varchar, text, text, integer, boolean);
DROP PROCEDURE IF EXISTS catalog.delete_worker_agent(uuid, boolean);
DROP PROCEDURE IF EXISTS catalog.set_execution_parameter_value(bigint, smallint, varchar, text);
DROP PROCEDURE IF EXISTS catalog.configure_catalog(varchar, varchar);
DROP PROCEDURE IF EXISTS catalog.set_worker_agent_property(uuid, varchar, text);

UPDATE internal.error_messages
   SET message_template = 'The worker agent {1} holds {2} running task(s); wait for them to end, or pass Force => true to delete it anyway.'
 WHERE number = 51203;
UPDATE internal.error_messages
   SET message_template = 'The execution {1} may run on any worker, so workers cannot be added to it; create it with useanyworker => false to choose workers.'
 WHERE number = 51206;
UPDATE internal.error_messages
   SET message_template = 'This catalog runs packages in Scale Out only: pass runinscaleout => true, or leave it NULL with DEFAULT_EXECUTION_MODE = 1.'
 WHERE number = 51212;
