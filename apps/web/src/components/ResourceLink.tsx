import type { RelatedResource, Resource } from '@herald/sdk/browser';
import { resourceName } from '../lib/format.js';
import { Link } from './Link.js';

/** A resource as a link to its timeline, with the role for a related one. */
export function ResourceLink({ resource }: { resource: Resource | RelatedResource }) {
  const id = resource['prefect.resource.id'] ?? '';
  const role = resource['prefect.resource.role'];
  const name = resourceName(resource);
  return (
    <Link className="resource-link" href={`/resources/${encodeURIComponent(id)}`} title={id}>
      {role && <span className="role">{role}</span>}
      {name}
      {name !== id && <span className="muted mono"> {id}</span>}
    </Link>
  );
}
