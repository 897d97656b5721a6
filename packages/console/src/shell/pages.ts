/**
 * The console's pages: path pattern, navigation label and the lazily loaded component, so each page
 * is its own chunk and the first page loads only the shell and itself.
 * @module
 */
import { type ComponentType, type LazyExoticComponent, lazy } from 'react';

export interface PageSpec {
  pattern: string;
  /** Shown in the navigation when set (detail pages are not). */
  nav?: string;
  component: LazyExoticComponent<ComponentType<{ params: Record<string, string> }>>;
}

export const PAGES: PageSpec[] = [
  { pattern: '/', nav: 'Overview', component: lazy(() => import('../pages/Overview.tsx')) },
  {
    pattern: '/applications',
    nav: 'App registrations',
    component: lazy(() => import('../pages/applications/ApplicationList.tsx')),
  },
  {
    pattern: '/applications/new',
    component: lazy(() => import('../pages/applications/RegisterApplication.tsx')),
  },
  {
    pattern: '/applications/:id',
    component: lazy(() => import('../pages/applications/ApplicationDetail.tsx')),
  },
  {
    pattern: '/applications/:id/:tab',
    component: lazy(() => import('../pages/applications/ApplicationDetail.tsx')),
  },
  {
    pattern: '/enterprise-applications',
    nav: 'Enterprise applications',
    component: lazy(() => import('../pages/EnterpriseApplications.tsx')),
  },
  {
    pattern: '/enterprise-applications/:id',
    component: lazy(() => import('../pages/EnterpriseApplications.tsx')),
  },
  { pattern: '/groups', nav: 'Groups', component: lazy(() => import('../pages/Groups.tsx')) },
  { pattern: '/groups/:id', component: lazy(() => import('../pages/Groups.tsx')) },
  { pattern: '/sign-ins', nav: 'Sign-in logs', component: lazy(() => import('../pages/SignIns.tsx')) },
  { pattern: '/test-token', nav: 'Test a token', component: lazy(() => import('../pages/TestToken.tsx')) },
  {
    pattern: '/issuer-policy',
    nav: 'Issuer policy',
    component: lazy(() => import('../pages/IssuerPolicy.tsx')),
  },
  {
    pattern: '/secret-inventory',
    nav: 'Secret inventory',
    component: lazy(() => import('../pages/SecretInventory.tsx')),
  },
  { pattern: '/sessions', nav: 'Console sessions', component: lazy(() => import('../pages/Sessions.tsx')) },
];
