import { runService } from '@dmp/runtime';
import { createApp } from './app';

/** Composition root: configuration from the environment, adapters chosen by URL, then serve. */
void runService({ service: 'consent', env: process.env, createApp });
