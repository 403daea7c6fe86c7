import type { FastifyInstance } from 'fastify';
import type { AutomationService } from '../automations/automation-service.js';
import type { ConnectionService } from '../connections/connection-service.js';
import { registerAutomationRoutes } from './automation-routes.js';
import { registerConnectionRoutes } from './connection-routes.js';
import { registerTemplateRoutes, type TemplateValidator } from './template-routes.js';

/** What the automation, template and connection routes need. */
export interface AutomationApiDeps {
  automations: AutomationService;
  connections: ConnectionService;
  validateTemplate: TemplateValidator;
}

/**
 * Registers `/api/automations`, `/api/templates/validate` and `/api/connections` on the API's plugin.
 * The template routes get their own scope for their raw-text body parser.
 *
 * @example
 * registerAutomationApi(api, { automations, connections, validateTemplate });
 */
export function registerAutomationApi(app: FastifyInstance, deps: AutomationApiDeps): void {
  registerAutomationRoutes(app, deps);
  registerConnectionRoutes(app, deps);
  void app.register(async (scope) => registerTemplateRoutes(scope, deps));
}
