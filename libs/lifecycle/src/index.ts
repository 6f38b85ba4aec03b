export * from './service-bootstrap';
