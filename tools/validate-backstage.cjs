// Validate Backstage entities with Backstage's own catalog model: the policies the catalog
// applies to every entity, the validator of each built-in kind, and that a Component's
// `spec.system` names a System in the same set. Reads a JSON array of entities on stdin;
// prints one line per problem and exits 1 if there is any.
"use strict";
const model = require("@backstage/catalog-model");

const policies = model.EntityPolicies.allOf([
  new model.SchemaValidEntityPolicy(),
  new model.DefaultNamespaceEntityPolicy(),
  new model.NoForeignRootFieldsEntityPolicy(),
  new model.FieldFormatEntityPolicy(),
]);
const kinds = [
  model.apiEntityV1alpha1Validator,
  model.componentEntityV1alpha1Validator,
  model.domainEntityV1alpha1Validator,
  model.groupEntityV1alpha1Validator,
  model.locationEntityV1alpha1Validator,
  model.resourceEntityV1alpha1Validator,
  model.systemEntityV1alpha1Validator,
  model.userEntityV1alpha1Validator,
];

async function problems(entity, systems) {
  const out = [];
  try {
    const enforced = await policies.enforce(entity);
    if (!enforced) out.push("rejected by the entity policies");
    const matched = await Promise.all(kinds.map((v) => v.check(entity)));
    if (!matched.some(Boolean) && entity.kind !== "Template") out.push("no built-in kind matched");
  } catch (error) {
    out.push(String(error.message || error));
  }
  const system = entity.spec && entity.spec.system;
  if (entity.kind === "Component" && system) {
    const ref = model.stringifyEntityRef(
      model.parseEntityRef(system, { defaultKind: "system", defaultNamespace: "default" }),
    );
    if (!systems.has(ref)) out.push(`spec.system ${system} names no System entity`);
  }
  return out;
}

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const entities = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  const systems = new Set(
    entities.filter((e) => e.kind === "System").map((e) => model.stringifyEntityRef(e)),
  );
  let failed = 0;
  for (const entity of entities) {
    const name = `${entity.kind}:${entity.metadata && entity.metadata.name}`;
    for (const problem of await problems(entity, systems)) {
      console.log(`${name}: ${problem}`);
      failed += 1;
    }
  }
  console.log(`${entities.length} entities checked, ${failed} problems`);
  process.exit(failed ? 1 : 0);
}

main();
