// Every reporting route (metrics, DORA summary, definitions, records, organisation) in one
// sub-app, mounted once under /api.
import { Hono } from 'hono';
import type { AppEnv } from '../app.ts';
import { catalogRoutes } from './catalog.ts';
import { metricRoutes } from './metrics.ts';
import { recordRoutes } from './records.ts';

export const reportingRoutes = new Hono<AppEnv>().route('/', metricRoutes).route('/', recordRoutes).route('/', catalogRoutes);
