// A tiny path router for the stand-ins: templates written exactly as the OpenAPI descriptions write
// them (`/repos/{owner}/{repo}/deployments`), so the template doubles as the endpoint key that
// stats count and faults target, and as the key the conformance test uses to find the schema.

export interface Route<H> {
  method: string;
  template: string;
  /** `GET /repos/{owner}/{repo}/deployments` */
  endpoint: string;
  handler: H;
  regex: RegExp;
  names: string[];
}

export interface RouteMatch<H> {
  route: Route<H>;
  params: Record<string, string>;
}

export class Router<H> {
  private readonly routes: Route<H>[] = [];

  add(method: string, template: string, handler: H, endpoint = `${method} ${template}`): this {
    const names: string[] = [];
    const source = template.replace(/[.+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    this.routes.push({ method, template, endpoint, handler, regex: new RegExp(`^${source}/?$`), names });
    return this;
  }

  match(method: string, path: string): RouteMatch<H> | undefined {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const m = route.regex.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      for (let i = 0; i < route.names.length; i++) {
        const raw = m[i + 1]!;
        let value = raw;
        try {
          value = decodeURIComponent(raw);
        } catch {
          // A malformed escape stays as sent; the handler then answers 404 for an unknown id.
        }
        params[route.names[i]!] = value;
      }
      return { route, params };
    }
    return undefined;
  }

  list(): Route<H>[] {
    return [...this.routes];
  }
}
