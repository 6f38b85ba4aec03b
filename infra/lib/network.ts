// The network costs nothing while idle: public subnets only (no NAT gateway at ~$33/month), tasks get a public IP
// to reach ECR, the TLC's CloudFront and S3, and every security group is closed inbound except NATS from the services.
import { aws_ec2 as ec2 } from 'aws-cdk-lib';
import { Construct } from 'constructs';

export class Network extends Construct {
  readonly vpc: ec2.Vpc;
  /** scanner, capacity manager, transformers and the one-shot CLI: no inbound at all. */
  readonly appSecurityGroup: ec2.SecurityGroup;
  readonly subnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PUBLIC };

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
      // S3 traffic (the sink and an s3:// source) stays on AWS's network; gateway endpoints are free.
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    });
    this.appSecurityGroup = new ec2.SecurityGroup(this, 'AppSecurityGroup', {
      vpc: this.vpc,
      description: 'sluice services and one-shot tasks: outbound only',
      allowAllOutbound: true,
    });
  }
}
