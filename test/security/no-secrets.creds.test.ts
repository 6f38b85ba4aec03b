// No secret anywhere sluice writes, with NATS credentials of the kind "creds file (operator JWT + nkey)" and S3 keys (no-secrets.scenario.ts).
import { describeNoSecrets } from './no-secrets.scenario';

describeNoSecrets('creds file (operator JWT + nkey)');
