import { packageBuild } from '../../tsup.base.js';

// Hooks and components run on the client: the directive lets React Server Components frameworks
// (Next.js) import the package from a server component's tree.
export default packageBuild({ banner: { js: "'use client';" } });
