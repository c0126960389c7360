#!/usr/bin/env -S node --max-semi-space-size=64
// The `papertide` command: runs the TypeScript CLI through tsx's loader (no build step).
// --max-semi-space-size=64: a 64 MB young generation; bulk ingest/import allocate many short-lived
// strings and objects, and fewer scavenges cut ~10% of an OAI-PMH harvest's CPU (docs/design.md).
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/main.ts');
