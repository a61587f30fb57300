#!/usr/bin/env node
// AWS CDK side of the pcstack synth comparison.
//
// Usage: node app.js TEMPLATE.json OUTDIR
//
// Builds pcstack's template (TEMPLATE.json, from `pcstack synth --format json`) as CDK
// typed L1 objects with aws-cdk-lib's cloudformation_include.CfnInclude (each resource
// becomes its CfnXxx class, e.g. ec2.CfnVPC, fsx.CfnFileSystem; parameters, conditions,
// mappings and outputs become CfnParameter, CfnCondition, CfnMapping, CfnOutput), then
// app.synth() validates and writes OUTDIR/<stack>.template.json (plus CDK's manifest.json
// and tree.json), the same way `cdk synth` runs an app.
//
// Two CDK defaults that would add to the template are turned off so the output is the
// same template: the CDKMetadata resource (analyticsReporting: false) and the
// BootstrapVersion parameter and rule (generateBootstrapVersionRule: false).
//
// One value is set by hand: CfnInclude reads IpProtocol (a string property in the CDK's
// L1 classes) and writes the template's number -1 as the string "-1". pcstack writes the
// number on purpose (as the tutorial's template does; every property of a security-group
// rule is create-only), with a property override. The same CDK escape hatch,
// addPropertyOverride, puts the number back on each resource whose IpProtocol is a number
// in TEMPLATE.json.
'use strict';

const t0 = process.hrtime.bigint();
const cdk = require('aws-cdk-lib');
const { CfnInclude } = require('aws-cdk-lib/cloudformation-include');
const fs = require('fs');
const t1 = process.hrtime.bigint();

const [templateFile, outdir] = process.argv.slice(2);
if (!templateFile || !outdir) {
  process.stderr.write('usage: node app.js TEMPLATE.json OUTDIR\n');
  process.exit(2);
}

const app = new cdk.App({ outdir, analyticsReporting: false });
const stack = new cdk.Stack(app, 'parallelcluster-prerequisites', {
  analyticsReporting: false,
  synthesizer: new cdk.DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
});
const included = new CfnInclude(stack, 'Template', { templateFile });
const source = JSON.parse(fs.readFileSync(templateFile, 'utf8'));
for (const [id, resource] of Object.entries(source.Resources || {})) {
  const protocol = (resource.Properties || {}).IpProtocol;
  if (typeof protocol === 'number') {
    included.getResource(id).addPropertyOverride('IpProtocol', protocol);
  }
}
const t2 = process.hrtime.bigint();

app.synth();
const t3 = process.hrtime.bigint();

if (process.env.PHASES) {
  const ms = (a, b) => (Number(b - a) / 1e6).toFixed(1);
  process.stderr.write(
    `require ${ms(t0, t1)} ms, build typed objects ${ms(t1, t2)} ms, ` +
      `synth (validate+render+write) ${ms(t2, t3)} ms\n`,
  );
}
