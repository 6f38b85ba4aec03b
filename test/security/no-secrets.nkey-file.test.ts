// No secret anywhere sluice writes, with NATS credentials of the kind "nkey seed file" and S3 keys (no-secrets.scenario.ts).
import { describeNoSecrets } from './no-secrets.scenario';

describeNoSecrets('nkey seed file');
