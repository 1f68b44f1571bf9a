import { ObjectId } from 'mongodb';
import type { DocumentReference } from 'fhir/r4';
import { SEARCH_PARAMETERS } from '@dmp/fhir';
import { createIndexer } from '@dmp/storage';
import { buildDocument, buildPatient, INS_SYSTEM } from '@dmp/storage-contract';
import {
  compareUtf8,
  SORT_MISSING_ASC,
  SORT_MISSING_DESC,
  toHistoryDoc,
  toIndexDoc,
  toResourceDoc,
  toSortDocs,
  toTombstoneDoc,
  withMeta,
} from './documents';
import { toBlobDoc, toBlobInfo } from './mongo-blob-store';
import { outboxIds, toOutboxDoc, toOutboxRecord } from './mongo-outbox';

const indexer = createIndexer(SEARCH_PARAMETERS);
const AT = '2026-01-01T00:00:00.000Z';

function storedDocument(): DocumentReference {
  const doc = buildDocument({
    patientId: 'p1',
    ins: 'ins-1',
    description: 'Compte rendu',
    date: '2024-03-05T10:00:00+01:00',
  });
  return withMeta(doc, 'd1', 3, AT);
}

describe('resource document shape', () => {
  it('keeps the resource, its version, time, patient compartment, index values and sort keys', () => {
    const resource = storedDocument();
    const doc = toResourceDoc(resource, indexer.extract(resource), SEARCH_PARAMETERS);
    expect(doc).toMatchObject({
      _id: 'd1',
      v: 3,
      ts: AT,
      del: false,
      pat: `${INS_SYSTEM}|ins-1`,
      res: resource,
    });
    expect(doc.idx).toEqual(
      expect.arrayContaining([
        { p: 'status', s: null, c: 'current' },
        { p: 'type', s: 'http://loinc.org', c: '11488-4' },
        { p: 'patient', r: 'Patient/p1' },
        { p: 'patient.identifier', s: INS_SYSTEM, c: 'ins-1' },
        { p: 'description', f: 'compte rendu', e: 'Compte rendu' },
        { p: 'date', lo: '2024-03-05T09:00:00.000Z', hi: '2024-03-05T09:00:01.000Z' },
        { p: 'author.family', f: 'martin', e: 'Martin' },
        { p: '_lastUpdated', lo: AT, hi: '2026-01-01T00:00:00.001Z' },
      ]),
    );
    expect(doc.idx.some((e) => e.p === '_id')).toBe(false);
    expect(doc.srt.date).toEqual({ a: '2024-03-05T09:00:00.000Z', d: '2024-03-05T09:00:01.000Z' });
    expect(doc.srt.description).toEqual({ a: 'compte rendu', d: 'compte rendu' });
  });

  it('every index entry kind maps to its own fields', () => {
    expect(toIndexDoc({ param: 't', kind: 'token', system: null, code: 'c' })).toEqual({
      p: 't',
      s: null,
      c: 'c',
    });
    expect(toIndexDoc({ param: 's', kind: 'string', folded: 'e', exact: 'É' })).toEqual({
      p: 's',
      f: 'e',
      e: 'É',
    });
    expect(toIndexDoc({ param: 'd', kind: 'date', low: 'a', high: 'b' })).toEqual({
      p: 'd',
      lo: 'a',
      hi: 'b',
    });
    expect(toIndexDoc({ param: 'r', kind: 'reference', ref: 'Patient/1' })).toEqual({
      p: 'r',
      r: 'Patient/1',
    });
    expect(toIndexDoc({ param: 'u', kind: 'uri', value: 'urn:x' })).toEqual({ p: 'u', u: 'urn:x' });
  });

  it('a parameter without a value sorts last both ways; several values sort by min / max', () => {
    const keys = toSortDocs(
      'DocumentReference',
      [
        { param: 'type', kind: 'token', system: null, code: 'b' },
        { param: 'type', kind: 'token', system: null, code: 'a' },
      ],
      SEARCH_PARAMETERS,
    );
    expect(keys.type).toEqual({ a: 'a', d: 'b' });
    expect(keys.description).toEqual({ a: SORT_MISSING_ASC, d: SORT_MISSING_DESC });
    expect(keys.patient).toBeUndefined();
  });

  it('compares strings as MongoDB does (UTF-8 bytes)', () => {
    expect(compareUtf8('\u{FFFD}', '\u{1F600}')).toBeLessThan(0);
    expect('\u{FFFD}' < '\u{1F600}').toBe(false);
  });

  it('a Patient is keyed by its INS, else by itself; a resource without a patient has none', () => {
    const patient = withMeta(buildPatient('Durand', 'Marie', 'ins-9'), 'p9', 1, AT);
    expect(toResourceDoc(patient, indexer.extract(patient), SEARCH_PARAMETERS).pat).toBe(
      `${INS_SYSTEM}|ins-9`,
    );
    const anonymous = withMeta({ ...patient, identifier: [] }, 'p9', 1, AT);
    expect(toResourceDoc(anonymous, indexer.extract(anonymous), SEARCH_PARAMETERS).pat).toBe(
      'Patient/p9',
    );
    const orphan = withMeta(
      { ...storedDocument(), subject: { reference: 'Group/g' } },
      'd2',
      1,
      AT,
    );
    expect(toResourceDoc(orphan, indexer.extract(orphan), SEARCH_PARAMETERS).pat).toBeNull();
  });

  it('a tombstone has no content, no index values, the next version, and keeps the shard key', () => {
    const resource = storedDocument();
    const doc = toResourceDoc(resource, indexer.extract(resource), SEARCH_PARAMETERS);
    expect(toTombstoneDoc(doc, 4, 'later')).toEqual({
      _id: 'd1',
      v: 4,
      ts: 'later',
      del: true,
      pat: `${INS_SYSTEM}|ins-1`,
      res: null,
      idx: [],
      srt: {},
    });
  });

  it('a history document is the version without its index values', () => {
    const resource = storedDocument();
    const doc = toResourceDoc(resource, indexer.extract(resource), SEARCH_PARAMETERS);
    expect(toHistoryDoc(doc)).toEqual({
      rid: 'd1',
      v: 3,
      ts: AT,
      del: false,
      pat: `${INS_SYSTEM}|ins-1`,
      res: resource,
    });
  });
});

describe('outbox document shape', () => {
  it('stores the payload as JSON text under an ObjectId (no shared counter), unleased', () => {
    const doc = toOutboxDoc('audit', { a: 1, skip: undefined }, new Date(AT));
    expect(doc).toEqual({
      _id: expect.any(ObjectId),
      topic: 'audit',
      json: '{"a":1}',
      attempts: 0,
      createdAt: AT,
      lease: null,
    });
    expect(toOutboxRecord(doc)).toEqual({
      id: (doc._id as ObjectId).toHexString(),
      topic: 'audit',
      payload: { a: 1 },
      payloadJson: '{"a":1}',
      attempts: 0,
      createdAt: AT,
    });
    expect(toOutboxDoc('t', undefined, new Date(AT)).json).toBe('null');
  });

  it('gives increasing ids within a process; a record of an older version keeps its number', () => {
    const ids = Array.from(
      { length: 50 },
      () => toOutboxRecord(toOutboxDoc('t', 1, new Date())).id,
    );
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(50);
    const legacy = { ...toOutboxDoc('audit', 1, new Date(AT)), _id: 7 };
    expect(toOutboxRecord(legacy).id).toBe('7');
    expect(outboxIds(['7', ids[0] ?? '', 'nope', '1e3'])).toEqual([7, new ObjectId(ids[0])]);
  });
});

describe('blob metadata shape', () => {
  it('is keyed by the hex SHA-256 and points at the GridFS file', () => {
    const file = new ObjectId();
    const doc = toBlobDoc(
      { file, sha1: 'c2hh', sha256: 'ab'.repeat(32), size: 3 },
      'application/pdf',
      new Date(AT),
    );
    expect(doc).toEqual({
      _id: 'ab'.repeat(32),
      file,
      sha1: 'c2hh',
      size: 3,
      contentType: 'application/pdf',
      createdAt: AT,
    });
    expect(toBlobInfo(doc)).toEqual({
      key: 'ab'.repeat(32),
      sha1: 'c2hh',
      sha256: 'ab'.repeat(32),
      size: 3,
      contentType: 'application/pdf',
    });
  });
});
