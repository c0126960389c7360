#!/usr/bin/env -S MALLOC_MMAP_THRESHOLD_=1048576 node --max-semi-space-size=64
// The `papertide` command: runs the TypeScript CLI through tsx's loader (no build step).
// --max-semi-space-size=64: a 64 MB young generation; bulk ingest/import allocate many short-lived
// strings and objects, and fewer scavenges cut ~10% of an OAI-PMH harvest's CPU (docs/design.md).
// MALLOC_MMAP_THRESHOLD_: allocations of 1 MB or more get their own mapping, returned to the
// system when freed. glibc's default threshold rises as big blocks are freed, so the chunks an
// index build frees stayed in the process (1M papers: 2.4 GB RSS after the build, 1.9 GB with it).
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/main.ts');
