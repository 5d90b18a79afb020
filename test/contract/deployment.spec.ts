/**
 * Folders, projects, versions, packages and parameters, on every backend.
 */

import { expect } from 'chai';
import { forEachBackend, useCatalog } from '../support/backends.ts';
import { expectCatalogError, snapshot, truthy, view } from '../support/catalog-helpers.ts';
import { createFolder, deploy, projectBytes, sampleManifest, sha256Hex } from '../support/queue-helpers.ts';

const DEPLOY_TABLES = ['internal.folders', 'internal.projects', 'internal.object_versions', 'internal.packages', 'internal.object_parameters', 'internal.operations'];

forEachBackend('folders and projects', (backend) => {
  const catalog = useCatalog(backend);

  describe('catalog.create_folder', () => {
    it('creates a folder and returns its id', async () => {
      const r = await catalog.db.call('catalog.create_folder', { folder_name: 'Finance ETL' });
      const id = Number(r.output.folder_id);
      const rows = (await view(catalog.db, 'catalog.folders')).filter((f) => f.name === 'Finance ETL');
      expect(rows).to.have.length(1);
      expect(rows[0]!.folder_id).to.equal(id);
      expect(rows[0]!.created_by_name).to.be.a('string').and.not.equal('');
    });

    it('refuses a duplicate (51204), a bad name (51001) and NULL (51000), changing nothing', async () => {
      const db = catalog.db;
      await createFolder(db, 'dup');
      const before = await snapshot(db, DEPLOY_TABLES);
      await expectCatalogError(db.call('catalog.create_folder', { folder_name: 'dup' }), 51204, /dup/);
      for (const bad of ['', ' lead', 'trail ', '@first', 'a|b', 'a<b', 'tab\there', 'bad/name', 'back\\slash', 'c:drive', 'wild*', 'what?', 'x'.repeat(129)]) {
        await expectCatalogError(db.call('catalog.create_folder', { folder_name: bad }), 51001);
      }
      await expectCatalogError(db.call('catalog.create_folder', {}), 51000, /@folder_name/);
      expect(await snapshot(db, DEPLOY_TABLES)).to.deep.equal(before);
    });
  });

  describe('catalog.deploy_project', () => {
    it('keeps each deployment as a version with the hash of its bytes, and shows the current one', async () => {
      const db = catalog.db;
      const folder = await createFolder(db);
      const first = await deploy(db, folder);
      const op = (await view(db, 'catalog.operations')).find((o) => o.operation_id === first.operationId);
      expect(op).to.include({ operation_type: 101, status: 7, object_name: 'etl' });

      const manifest = sampleManifest();
      manifest.packages.push({ name: 'report', kind: 'node', entry: 'report.mjs' });
      const second = await deploy(db, folder, manifest);

      const project = (await view(db, 'catalog.projects')).find((p) => p.project_id === op!.object_id);
      expect(project).to.include({ name: 'etl', description: 'Loads the daily sales file' });
      const versions = (await view(db, 'catalog.object_versions')).filter((v) => v.object_id === project!.project_id);
      expect(versions.map((v) => v.content_hash)).to.deep.equal([sha256Hex(first.bytes), sha256Hex(second.bytes)]);
      expect(project!.object_version_lsn).to.equal(versions[1]!.object_version_lsn);

      const packages = (await view(db, 'catalog.packages')).filter((p) => p.project_id === project!.project_id);
      expect(packages.map((p) => [p.name, p.kind, truthy(p.entry_point)]).sort()).to.deep.equal([
        ['archive', 'command', true],
        ['helper', 'node', false],
        ['load', 'node', true],
        ['report', 'node', true],
      ]);

      const params = (await view(db, 'catalog.object_parameters')).filter((p) => p.project_id === project!.project_id);
      const byName = Object.fromEntries(params.map((p) => [`${p.object_type}:${p.object_name}:${p.parameter_name}`, p]));
      expect(Object.keys(byName).sort()).to.deep.equal(['20:etl:ApiKey', '20:etl:InputFile', '20:etl:Region', '30:load:BatchSize']);
      expect(byName['20:etl:InputFile']).to.include({ data_type: 'String', default_value: null });
      expect(truthy(byName['20:etl:InputFile']!.required)).to.equal(true);
      expect(byName['20:etl:Region']).to.include({ default_value: 'emea' });
      expect(byName['30:load:BatchSize']).to.include({ data_type: 'Int32', default_value: '500' });
      expect(byName['20:etl:ApiKey']!.default_value, 'a sensitive default is never shown').to.equal(null);
    });

    it('keeps only MAX_PROJECT_VERSIONS versions when VERSION_CLEANUP_ENABLED', async () => {
      const db = catalog.db;
      await db.call('catalog.configure_catalog', { property_name: 'MAX_PROJECT_VERSIONS', property_value: '2' });
      try {
        const folder = await createFolder(db);
        const deployed: Array<{ operationId: number; bytes: Buffer }> = [];
        for (let i = 0; i < 4; i++) deployed.push(await deploy(db, folder));
        const hashes = (await view(db, 'catalog.object_versions'))
          .filter((v) => deployed.some((d) => sha256Hex(d.bytes) === v.content_hash))
          .map((v) => v.content_hash);
        expect(hashes).to.deep.equal(deployed.slice(2).map((d) => sha256Hex(d.bytes)));
      } finally {
        await db.call('catalog.configure_catalog', { property_name: 'MAX_PROJECT_VERSIONS', property_value: '10' });
      }
    });

    it('refuses an unknown folder (51103) and a bad manifest (51001), changing nothing', async () => {
      const db = catalog.db;
      const folder = await createFolder(db);
      const before = await snapshot(db, DEPLOY_TABLES);
      const m = sampleManifest();
      await expectCatalogError(deploy(db, 'no-such-folder'), 51103, /no-such-folder/);
      const bad = (mutate: (x: ReturnType<typeof sampleManifest>) => void) => {
        const copy = structuredClone(m);
        mutate(copy);
        return copy;
      };
      const cases: Array<[ReturnType<typeof sampleManifest>, RegExp]> = [
        [bad((x) => (x.name = 'other')), /differs from @project_name/],
        [bad((x) => (x.packages = [])), /no packages/],
        [bad((x) => (x.packages[0]!.kind = 'python')), /node or command/],
        [bad((x) => x.packages.push({ name: 'load', kind: 'node' })), /same name/],
        [bad((x) => (x.parameters![0]!.type = 'Text')), /unknown type/],
        [bad((x) => (x.packages[0]!.parameters![0]!.default = 'many')), /does not fit its type/],
        [bad((x) => (x.packages[0]!.timeoutSeconds = -5)), /timeoutSeconds/],
      ];
      for (const [manifest, text] of cases) {
        await expectCatalogError(
          db.call('catalog.deploy_project', { folder_name: folder, project_name: 'etl', project_stream: projectBytes('x'), manifest: JSON.stringify(manifest) }),
          51001,
          text,
        );
      }
      await expectCatalogError(db.call('catalog.deploy_project', { folder_name: folder, project_name: 'etl', project_stream: projectBytes('x'), manifest: '{not json' }), 51001, /JSON object/);
      // A stream that is not a zip, or nothing at all, is refused before anything is stored.
      const good = JSON.stringify(sampleManifest());
      for (const garbage of [Buffer.alloc(0), Buffer.from('not a zip at all'), Buffer.from('PK')]) {
        await expectCatalogError(db.call('catalog.deploy_project', { folder_name: folder, project_name: 'etl', project_stream: garbage, manifest: good }), 51001, new RegExp(`<${garbage.length} bytes>' for @project_stream.*zip`));
      }
      const e = await expectCatalogError(db.call('catalog.deploy_project', {}), 51000);
      expect(e.message).to.match(/@?folder_name\b/).and.match(/@?project_name\b/).and.match(/@?project_stream\b/).and.match(/@?manifest\b/);
      expect(await snapshot(db, DEPLOY_TABLES)).to.deep.equal(before);
    });

    it('gives the master a version\'s bytes and manifest by content hash (51109 when none has it)', async () => {
      const db = catalog.db;
      const folder = await createFolder(db);
      const { bytes } = await deploy(db, folder);
      const r = await db.call('internal.get_project_version', { ContentHash: sha256Hex(bytes).toUpperCase() });
      expect(r.rows).to.have.length(1);
      expect(Buffer.from(r.rows[0]!.project_stream as Uint8Array).equals(bytes)).to.equal(true);
      expect(JSON.parse(String(r.rows[0]!.manifest)).name).to.equal('etl');
      await expectCatalogError(db.call('internal.get_project_version', { ContentHash: 'ab'.repeat(32) }), 51109);
    });
  });

  describe('catalog.configure_catalog', () => {
    it('sets known properties and records an operation; refuses unknown or read-only ones and bad values', async () => {
      const db = catalog.db;
      const props = async () => Object.fromEntries((await view(db, 'catalog.catalog_properties')).map((r) => [r.property_name, r.property_value]));
      await db.call('catalog.configure_catalog', { property_name: 'RETENTION_WINDOW', property_value: '30' });
      await db.call('catalog.configure_catalog', { property_name: 'operation_cleanup_enabled', property_value: 'false' });
      expect(await props()).to.include({ RETENTION_WINDOW: '30', OPERATION_CLEANUP_ENABLED: 'FALSE', SCHEMA_VERSION: '1', MAX_PROJECT_VERSIONS: '10', DEFAULT_EXECUTION_MODE: '1', SERVER_LOGGING_LEVEL: '1' });
      expect((await view(db, 'catalog.operations')).some((o) => o.operation_type === 1000 && o.status === 7)).to.equal(true);
      const before = await props();
      await expectCatalogError(db.call('catalog.configure_catalog', { property_name: 'RETENTION_WINDOW', property_value: '0' }), 51001, /36500/);
      await expectCatalogError(db.call('catalog.configure_catalog', { property_name: 'SCHEMA_VERSION', property_value: '2' }), 51001, /@property_name is not accepted: a property that can be set/);
      await expectCatalogError(db.call('catalog.configure_catalog', { property_name: 'SERVER_LOGGING_LEVEL', property_value: '9' }), 51001);
      await expectCatalogError(db.call('catalog.configure_catalog', { property_name: 'RETENTION_WINDOW' }), 51000, /@property_value/);
      expect(await props()).to.deep.equal(before);
      await db.call('catalog.configure_catalog', { property_name: 'OPERATION_CLEANUP_ENABLED', property_value: 'TRUE' });
      await db.call('catalog.configure_catalog', { property_name: 'RETENTION_WINDOW', property_value: '365' });
    });
  });
});
