/**
 * Environment defaults of the local runtime. Imported first by bin/local.ts: ES modules run their
 * imports before the importing module's body, and the Powertools Logger and Metrics read these when
 * their modules load.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_DEV ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
