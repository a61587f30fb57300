#!/usr/bin/env python3
"""A hand-written troposphere program for pcstack's parallelcluster-prerequisites stack.

Usage: troposphere_handwritten.py OUT.yaml [--phases]

This is the program a troposphere user would write to get the template that
`pcstack synth` writes for its built-in stack: every parameter, mapping, condition,
resource and output is written out below with troposphere's typed classes (ec2.VPC,
fsx.FileSystem, s3.Bucket, ecr.Repository and their property classes, Parameter, Output,
Ref, GetAtt, Sub, Join, ...). It reads no input. The logical IDs, parameter names and
values are those of pcstack's own output; `run` checks with same_template.py that this
program's YAML is the same template as `pcstack synth --format json` before timing it.

How it maps to pcstack's stack (sections below, in the template's order):
  template Metadata   the `pcstack` block (output -> environment variable names) and the
                      console's parameter groups and labels (AWS::CloudFormation::Interface,
                      set with Template.add_parameter_to_group / set_parameter_label)
  Parameters          9: VPC name, Availability Zone, S3 endpoint switch, Lustre capacity,
                      throughput, compression and version, OpenZFS capacity and throughput
  Mappings            Networking: the two VPC CIDR blocks
  Conditions          S3EndpointCondition
  Resources           31: VPC with a second CIDR block, internet and NAT gateways, public
                      and private subnets and routes, the EFA security group and its three
                      rules, the S3 gateway endpoint, the log and data buckets with their
                      policies, the VPC flow log, the ECR repository, FSx for Lustre and
                      FSx for OpenZFS, and four Lustre data repository associations
  Outputs             21, each exported as ${AWS::StackName}-<name>

As with troposphere_synth.py, troposphere checks property types as each object is built,
and Template.to_yaml() runs every object's to_dict() (required properties and cross-field
validators) before cfn-flip dumps YAML. The file is written the same way too: a temporary
file in the output directory, fsync, rename.

Two things troposphere doesn't take as written (see README.md, "What troposphere needed by
hand"); each is handled where it occurs and marked "troposphere quirk":
  - IpProtocol is typed as a string, and the template has the number -1 on the three
    EFA security-group rules: the rules are built with "-1" and the number is put back
    into each built object's properties (see number_ip_protocol).
  - LustreConfiguration's cross-field validator rejects a Ref for PerUnitStorageThroughput:
    that one property object is built with .no_validation() (troposphere's own switch;
    the class has no required properties, so only that cross-field check is skipped).
UpdateReplacePolicy, which TemplateGenerator drops, is an ordinary keyword argument here.

--phases: print per-phase wall times (ms) to stderr.
"""

import sys
import time

T0 = time.perf_counter()

from atomic_write import write_atomic  # noqa: E402

from troposphere import (  # noqa: E402
    AWS_ACCOUNT_ID,
    AWS_REGION,
    Cidr,
    Equals,
    Export,
    FindInMap,
    GetAtt,
    Join,
    Output,
    Parameter,
    Ref,
    RetainExceptOnCreate,
    Retain,
    Select,
    Sub,
    Tags,
    Template,
)
from troposphere import ec2, ecr, fsx, s3  # noqa: E402


def number_ip_protocol(rule):
    """Troposphere quirk: give a security-group rule the number IpProtocol -1.

    pcstack writes IpProtocol as the number -1, as the tutorial's template does (every
    property of a security-group rule is create-only, so the value is kept exactly).
    troposphere types IpProtocol as str and raises TypeError for the int, so the rule is
    built with "-1" and the number is set in the built object's properties (troposphere
    has no property-override API; its typed setattr would reject the int). to_dict()
    still runs the rule's validate() with the number: exactly one source or destination,
    and check_ports, which passes because FromPort and ToPort are set.
    """
    rule.properties["IpProtocol"] = -1
    return rule


def build():
    t = Template()
    t.set_version("2010-09-09")
    t.set_description(
        "VPC, EFA security group, FSx for Lustre and OpenZFS, S3 bucket with data "
        "repository associations, and ECR repository for an AWS ParallelCluster "
        "training cluster"
    )

    # pcstack's own metadata: which output feeds which environment variable of the
    # generated env file, and the file's variable order.
    t.set_metadata({
        "pcstack": {
            "OutputEnvironmentVariables": {
                "PrimaryAvailabilityZone": "PRIMARY_AZ",
                "VPC": "VPC_ID",
                "PublicSubnet": "PUBLIC_SUBNET_ID",
                "PrimaryPrivateSubnet": "PRIVATE_SUBNET_ID",
                "SecurityGroup": "SECURITY_GROUP_ID",
                "FSxLustreFilesystemId": "FSX_LUSTRE_ID",
                "FSxLustreFilesystemMountname": "FSX_LUSTRE_MOUNT_NAME",
                "FSxLustreFilesystemDNSname": "FSX_LUSTRE_DNS",
                "FSxORootVolumeId": "FSX_OPENZFS_ROOT_VOLUME_ID",
                "HeadNodeBootstrapScript": "HEAD_NODE_BOOTSTRAP_SCRIPT",
                "ComputeNodeBootstrapScript": "COMPUTE_NODE_BOOTSTRAP_SCRIPT",
                "S3BucketName": "S3_BUCKET_NAME",
                "ECRRepositoryName": "ECR_REPO_NAME",
                "ECRRepositoryUri": "ECR_REPO_URI",
                "ImageTag": "IMAGE_TAG",
                "TrainingImageUri": "TRAINING_IMAGE_URI",
                "LustreDataDir": "LUSTRE_DATA_DIR",
                "LustreCheckpointDir": "LUSTRE_CHECKPOINT_DIR",
                "LustreLogDir": "LUSTRE_LOG_DIR",
                "LustreResultsDir": "LUSTRE_RESULTS_DIR",
                "LogBucketName": "LOG_BUCKET_NAME",
            },
            "EnvironmentVariableOrder": [
                "AWS_REGION", "STACK_NAME", "PRIMARY_AZ", "VPC_ID", "PUBLIC_SUBNET_ID",
                "PRIVATE_SUBNET_ID", "SECURITY_GROUP_ID", "FSX_LUSTRE_ID",
                "FSX_LUSTRE_MOUNT_NAME", "FSX_LUSTRE_DNS", "FSX_OPENZFS_ROOT_VOLUME_ID",
                "HEAD_NODE_BOOTSTRAP_SCRIPT", "COMPUTE_NODE_BOOTSTRAP_SCRIPT",
                "AWS_ACCOUNT_ID", "S3_BUCKET_NAME", "ECR_REPO_NAME", "ECR_REPO_URI",
                "IMAGE_TAG", "TRAINING_IMAGE_URI", "LUSTRE_DATA_DIR",
                "LUSTRE_CHECKPOINT_DIR", "LUSTRE_LOG_DIR", "LUSTRE_RESULTS_DIR",
                "LOG_BUCKET_NAME",
            ],
        },
    })

    # ---- Parameters (with their console group and label) ----

    def parameter(group, label, param):
        t.add_parameter(param)
        t.add_parameter_to_group(param, group)
        t.set_parameter_label(param, label)
        return param

    vpc_name = parameter("General configuration", "Name of your VPC", Parameter(
        "VPCName",
        Type="String",
        Description="Name tag of the VPC and prefix of the subnet names",
        Default="AWS ParallelCluster",
        MinLength=1,
        MaxLength=200,
    ))
    primary_az = parameter(
        "Availability Zone configuration for the subnets",
        "Availability Zone for the subnets and file systems",
        Parameter(
            "PrimarySubnetAZ",
            Type="AWS::EC2::AvailabilityZone::Name",
            Description="Availability Zone of the public subnet, the private subnet "
            "and both file systems",
        ),
    )
    create_s3_endpoint = parameter(
        "Network and S3 endpoints configuration", "Create an S3 endpoint", Parameter(
            "CreateS3Endpoint",
            Type="String",
            Description="Create an S3 gateway endpoint in the VPC",
            Default="true",
            AllowedValues=["true", "false"],
        ),
    )
    capacity = parameter("FSx for Lustre", "Lustre storage capacity (GiB)", Parameter(
        "Capacity",
        Type="Number",
        Description="FSx for Lustre storage capacity in GiB: 1200, 2400 or a multiple of 2400",
        Default=2400,
        AllowedValues=[1200] + list(range(2400, 100800 + 1, 2400)),
        ConstraintDescription="must be 1200, 2400 or a multiple of 2400 up to 100800 GiB "
        "for Lustre PERSISTENT_1 SSD",
    ))
    throughput = parameter(
        "FSx for Lustre", "Lustre throughput per TiB (MB/s/TiB)", Parameter(
            "PerUnitStorageThroughput",
            Type="Number",
            Description="FSx for Lustre throughput per TiB of storage, MB/s/TiB",
            Default=200,
            AllowedValues=[50, 100, 200],
        ),
    )
    compression = parameter("FSx for Lustre", "Lustre data compression", Parameter(
        "Compression",
        Type="String",
        Description="FSx for Lustre data compression",
        Default="LZ4",
        AllowedValues=["LZ4", "NONE"],
    ))
    lustre_version = parameter("FSx for Lustre", "Lustre version", Parameter(
        "LustreVersion",
        Type="String",
        Description="Lustre version; data repository associations need 2.12 or later",
        Default="2.15",
        AllowedValues=["2.15", "2.12"],
    ))
    openzfs_capacity = parameter(
        "FSx for OpenZFS", "OpenZFS storage capacity (GiB)", Parameter(
            "OpenZFSCapacity",
            Type="Number",
            Description="FSx for OpenZFS storage capacity in GiB",
            Default=512,
            MinValue=64,
            MaxValue=524288,
        ),
    )
    openzfs_throughput = parameter("FSx for OpenZFS", "OpenZFS throughput (MB/s)", Parameter(
        "OpenZFSThroughput",
        Type="Number",
        Description="FSx for OpenZFS throughput capacity, MB/s, as SINGLE_AZ_HA_2 allows",
        Default=320,
        AllowedValues=[160, 320, 640, 1280, 2560, 3840, 5120, 7680, 10240],
    ))

    t.add_mapping("Networking", {"VPC": {"CIDR0": "10.0.0.0/16", "CIDR1": "10.1.0.0/16"}})
    s3_endpoint_condition = t.add_condition(
        "S3EndpointCondition", Equals(Ref(create_s3_endpoint), "true")
    )

    # ---- Network: VPC, gateways, subnets, routes ----

    vpc = t.add_resource(ec2.VPC(
        "VPC",
        CidrBlock=FindInMap("Networking", "VPC", "CIDR0"),
        EnableDnsHostnames=True,
        EnableDnsSupport=True,
        Tags=Tags(Name=Sub("${VPCName} VPC")),
    ))
    vpc_cidr_block = t.add_resource(ec2.VPCCidrBlock(
        "VpcCidrBlock",
        CidrBlock=FindInMap("Networking", "VPC", "CIDR1"),
        VpcId=Ref(vpc),
    ))
    internet_gateway = t.add_resource(ec2.InternetGateway("InternetGateway"))
    gateway_to_internet = t.add_resource(ec2.VPCGatewayAttachment(
        "GatewayToInternet",
        InternetGatewayId=Ref(internet_gateway),
        VpcId=Ref(vpc),
    ))
    elastic_ip = t.add_resource(ec2.EIP(
        "ElasticIP",
        DependsOn=gateway_to_internet,
        Domain="vpc",
    ))
    public_subnet = t.add_resource(ec2.Subnet(
        "PublicSubnet",
        AvailabilityZone=Ref(primary_az),
        CidrBlock=Select(0, Cidr(GetAtt(vpc, "CidrBlock"), 2, 15)),
        MapPublicIpOnLaunch=True,
        Tags=Tags(Name=Join(" ", [Ref(vpc_name), "Public Subnet -", Ref(primary_az)])),
        VpcId=Ref(vpc),
    ))
    private_subnet = t.add_resource(ec2.Subnet(
        "PrimaryPrivateSubnet",
        DependsOn=vpc_cidr_block,
        AvailabilityZone=Ref(primary_az),
        CidrBlock=Select(0, Cidr(FindInMap("Networking", "VPC", "CIDR1"), 2, 15)),
        Tags=Tags(Name=Join(" ", [Ref(vpc_name), "Private Subnet -", Ref(primary_az)])),
        VpcId=Ref(vpc),
    ))
    nat_gateway = t.add_resource(ec2.NatGateway(
        "NATGateway",
        AllocationId=GetAtt(elastic_ip, "AllocationId"),
        SubnetId=Ref(public_subnet),
    ))
    public_route_table = t.add_resource(ec2.RouteTable("PublicRouteTable", VpcId=Ref(vpc)))
    private_route_table = t.add_resource(ec2.RouteTable("PrivateRouteTable", VpcId=Ref(vpc)))
    t.add_resource(ec2.Route(
        "PublicRoute",
        DependsOn=gateway_to_internet,
        DestinationCidrBlock="0.0.0.0/0",
        GatewayId=Ref(internet_gateway),
        RouteTableId=Ref(public_route_table),
    ))
    t.add_resource(ec2.Route(
        "PrivateRouteToInternet",
        DestinationCidrBlock="0.0.0.0/0",
        NatGatewayId=Ref(nat_gateway),
        RouteTableId=Ref(private_route_table),
    ))
    t.add_resource(ec2.SubnetRouteTableAssociation(
        "PublicSubnetRouteTableAssociation",
        RouteTableId=Ref(public_route_table),
        SubnetId=Ref(public_subnet),
    ))
    t.add_resource(ec2.SubnetRouteTableAssociation(
        "PrimaryPrivateSubnetRTAssociation",
        RouteTableId=Ref(private_route_table),
        SubnetId=Ref(private_subnet),
    ))

    # ---- EFA security group and its three all-traffic rules ----

    security_group = t.add_resource(ec2.SecurityGroup(
        "SecurityGroup",
        GroupDescription="Allow EFA communication for Multi-Node Parallel Batch jobs",
        VpcId=Ref(vpc),
    ))
    # The same cfn-lint suppression, with pcstack's reason, on each rule.
    efa_rule_metadata = {
        "cfn-lint": {"config": {"ignore_checks": ["W3687"]}},
        "pcstack": {"Suppressions": {"W3687": (
            "FromPort and ToPort are create-only on security group rules; they stay -1 as "
            "the tutorial's template wrote them, so a stack created from it updates in "
            "place instead of replacing (and colliding with) its rules. AWS ignores ports "
            "when IpProtocol is -1."
        )}},
    }
    efa_ingress = t.add_resource(number_ip_protocol(ec2.SecurityGroupIngress(
        "EFASecurityGroupIngress",
        Metadata=efa_rule_metadata,
        Description="All to all communication for EFA Ingress within Security Group",
        FromPort=-1,
        GroupId=Ref(security_group),
        IpProtocol="-1",  # troposphere quirk: the number is set by number_ip_protocol
        SourceSecurityGroupId=Ref(security_group),
        ToPort=-1,
    )))
    efa_egress = t.add_resource(number_ip_protocol(ec2.SecurityGroupEgress(
        "EFASecurityGroupEgress",
        Metadata=efa_rule_metadata,
        # Two spaces before "within", as in the tutorial's template (create-only).
        Description="All to all communication for EFA Egress  within Security Group",
        DestinationSecurityGroupId=Ref(security_group),
        FromPort=-1,
        GroupId=Ref(security_group),
        IpProtocol="-1",  # troposphere quirk, as above
        ToPort=-1,
    )))
    efa_egress_all = t.add_resource(number_ip_protocol(ec2.SecurityGroupEgress(
        "EFASecurityGroupEgressECS",
        Metadata=efa_rule_metadata,
        CidrIp="0.0.0.0/0",
        Description="All to all communication for Egress to all",
        FromPort=-1,
        GroupId=Ref(security_group),
        IpProtocol="-1",  # troposphere quirk, as above
        ToPort=-1,
    )))
    efa_rules = [efa_ingress, efa_egress, efa_egress_all]

    # ---- S3 gateway endpoint (when CreateS3Endpoint is "true") ----

    t.add_resource(ec2.VPCEndpoint(
        "S3Endpoint",
        Condition=s3_endpoint_condition,
        Metadata={
            "cfn-lint": {"config": {"ignore_checks": ["I1022"]}},
            "pcstack": {
                "Suppressions": {"I1022": (
                    "ServiceName is create-only; it keeps the tutorial template's Fn::Join "
                    "expression so a stack created from it keeps its endpoint instead of "
                    "replacing it."
                )},
                "Notes": {"PolicyDocument": (
                    "Open on purpose: cluster nodes reach S3 buckets pcstack doesn't know "
                    "(ECR image layers, ParallelCluster's own buckets, OS package "
                    "repositories, datasets in other accounts); a list of buckets here "
                    "would break them in ways that are hard to trace. Access control stays "
                    "with IAM and the bucket policies."
                )},
            },
        },
        PolicyDocument={
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": ["*"], "Resource": ["*"]},
            ],
        },
        RouteTableIds=[Ref(public_route_table), Ref(private_route_table)],
        ServiceName=Join("", ["com.amazonaws.", Ref(AWS_REGION), ".s3"]),
        VpcId=Ref(vpc),
    ))

    # ---- Log bucket (S3 access logs, VPC flow logs) and its policy ----

    def encrypted_aes256():
        return s3.BucketEncryption(ServerSideEncryptionConfiguration=[
            s3.ServerSideEncryptionRule(
                BucketKeyEnabled=True,
                ServerSideEncryptionByDefault=s3.ServerSideEncryptionByDefault(
                    SSEAlgorithm="AES256"
                ),
            ),
        ])

    def private_bucket_settings():
        return dict(
            OwnershipControls=s3.OwnershipControls(
                Rules=[s3.OwnershipControlsRule(ObjectOwnership="BucketOwnerEnforced")]
            ),
            PublicAccessBlockConfiguration=s3.PublicAccessBlockConfiguration(
                BlockPublicAcls=True,
                BlockPublicPolicy=True,
                IgnorePublicAcls=True,
                RestrictPublicBuckets=True,
            ),
            VersioningConfiguration=s3.VersioningConfiguration(Status="Enabled"),
        )

    def deny_insecure_transport(bucket):
        return {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [GetAtt(bucket, "Arn"), Sub("${%s.Arn}/*" % bucket.title)],
            "Condition": {"Bool": {"aws:SecureTransport": False}},
        }

    log_bucket = t.add_resource(s3.Bucket(
        "LogBucket",
        DeletionPolicy=RetainExceptOnCreate,
        UpdateReplacePolicy=Retain,
        Metadata={"checkov": {"skip": [{
            "id": "CKV_AWS_18",
            "comment": "This is the access-log bucket: logging its own access would log "
            "the log writes, and a second log bucket would need one too.",
        }]}},
        BucketEncryption=encrypted_aes256(),
        BucketName=Sub("parallelcluster-logs-${AWS::AccountId}-${AWS::Region}"),
        LifecycleConfiguration=s3.LifecycleConfiguration(Rules=[
            s3.LifecycleRule(
                AbortIncompleteMultipartUpload=s3.AbortIncompleteMultipartUpload(
                    DaysAfterInitiation=1
                ),
                ExpirationInDays=90,
                Id="expire-logs",
                NoncurrentVersionExpiration=s3.NoncurrentVersionExpiration(NoncurrentDays=1),
                Status="Enabled",
            ),
        ]),
        **private_bucket_settings(),
    ))
    source_account = {"aws:SourceAccount": Ref(AWS_ACCOUNT_ID)}
    log_bucket_policy = t.add_resource(s3.BucketPolicy(
        "LogBucketPolicy",
        Bucket=Ref(log_bucket),
        PolicyDocument={
            "Version": "2012-10-17",
            "Statement": [
                deny_insecure_transport(log_bucket),
                {
                    "Sid": "S3ServerAccessLogs",
                    "Effect": "Allow",
                    "Principal": {"Service": "logging.s3.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": Sub("${LogBucket.Arn}/s3-access/*"),
                    "Condition": {"StringEquals": source_account},
                },
                {
                    "Sid": "VpcFlowLogsWrite",
                    "Effect": "Allow",
                    "Principal": {"Service": "delivery.logs.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": Sub("${LogBucket.Arn}/vpc-flow-logs/AWSLogs/*"),
                    "Condition": {"StringEquals": {
                        **source_account,
                        "s3:x-amz-acl": "bucket-owner-full-control",
                    }},
                },
                {
                    "Sid": "VpcFlowLogsAclCheck",
                    "Effect": "Allow",
                    "Principal": {"Service": "delivery.logs.amazonaws.com"},
                    "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
                    "Resource": GetAtt(log_bucket, "Arn"),
                    "Condition": {"StringEquals": source_account},
                },
            ],
        },
    ))
    t.add_resource(ec2.FlowLog(
        "VPCFlowLog",
        DependsOn=log_bucket_policy,
        LogDestination=Sub("${LogBucket.Arn}/vpc-flow-logs/"),
        LogDestinationType="s3",
        ResourceId=Ref(vpc),
        ResourceType="VPC",
        TrafficType="ALL",
    ))

    # ---- Data bucket (behind the Lustre data repository associations) ----

    data_bucket = t.add_resource(s3.Bucket(
        "DataBucket",
        DependsOn=log_bucket_policy,
        DeletionPolicy=RetainExceptOnCreate,
        UpdateReplacePolicy=Retain,
        BucketEncryption=encrypted_aes256(),
        BucketName=Sub("parallelcluster-${AWS::AccountId}-${AWS::Region}"),
        LifecycleConfiguration=s3.LifecycleConfiguration(Rules=[
            s3.LifecycleRule(
                Id="expire-noncurrent-versions",
                NoncurrentVersionExpiration=s3.NoncurrentVersionExpiration(NoncurrentDays=30),
                Status="Enabled",
            ),
            s3.LifecycleRule(
                AbortIncompleteMultipartUpload=s3.AbortIncompleteMultipartUpload(
                    DaysAfterInitiation=7
                ),
                Id="abort-incomplete-multipart-uploads",
                Status="Enabled",
            ),
        ]),
        LoggingConfiguration=s3.LoggingConfiguration(
            DestinationBucketName=Ref(log_bucket),
            LogFilePrefix="s3-access/DataBucket/",
        ),
        **private_bucket_settings(),
    ))
    t.add_resource(s3.BucketPolicy(
        "DataBucketPolicy",
        Bucket=Ref(data_bucket),
        PolicyDocument={
            "Version": "2012-10-17",
            "Statement": [deny_insecure_transport(data_bucket)],
        },
    ))

    # ---- ECR repository for the training image ----

    repository = t.add_resource(ecr.Repository(
        "TrainingImageRepository",
        DeletionPolicy=RetainExceptOnCreate,
        UpdateReplacePolicy=Retain,
        Metadata={"checkov": {"skip": [{
            "id": "CKV_AWS_51",
            "comment": "Tags are immutable except the excluded ones "
            "(IMMUTABLE_WITH_EXCLUSION): the tutorial's workflow pushes the `latest` tag "
            "again after every image build.",
        }]}},
        EncryptionConfiguration=ecr.EncryptionConfiguration(EncryptionType="KMS"),
        ImageScanningConfiguration=ecr.ImageScanningConfiguration(ScanOnPush=True),
        ImageTagMutability="IMMUTABLE_WITH_EXCLUSION",
        ImageTagMutabilityExclusionFilters=[
            ecr.ImageTagMutabilityExclusionFilter(
                ImageTagMutabilityExclusionFilterType="WILDCARD",
                ImageTagMutabilityExclusionFilterValue="latest",
            ),
        ],
        LifecyclePolicy=ecr.LifecyclePolicy(LifecyclePolicyText=(
            '{"rules":[{"rulePriority":1,"description":"Expire untagged images after 14 '
            'days","selection":{"tagStatus":"untagged","countType":"sinceImagePushed",'
            '"countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}'
        )),
        RepositoryName="pytorch-training-custom",
    ))

    # ---- File systems: FSx for Lustre and FSx for OpenZFS ----

    lustre = t.add_resource(fsx.FileSystem(
        "FSxLFilesystem",
        DependsOn=efa_rules,
        DeletionPolicy=RetainExceptOnCreate,
        UpdateReplacePolicy=Retain,
        FileSystemType="LUSTRE",
        FileSystemTypeVersion=Ref(lustre_version),
        LustreConfiguration=fsx.LustreConfiguration(
            AutomaticBackupRetentionDays=0,
            DataCompressionType=Ref(compression),
            DeploymentType="PERSISTENT_1",
            PerUnitStorageThroughput=Ref(throughput),
        # Troposphere quirk: validate_lustreconfiguration wants a literal 50, 100 or 200
        # for PERSISTENT_1 and rejects this Ref (a Number parameter whose AllowedValues
        # are exactly 50, 100 and 200). no_validation() skips that check on this one
        # object; LustreConfiguration has no required properties, so nothing else is lost,
        # and the property type checks above ran when the object was built.
        ).no_validation(),
        SecurityGroupIds=[Ref(security_group)],
        StorageCapacity=Ref(capacity),
        StorageType="SSD",
        SubnetIds=[Ref(private_subnet)],
    ))
    openzfs = t.add_resource(fsx.FileSystem(
        "OpenZFSFileSystem",
        DependsOn=efa_rules,
        DeletionPolicy=RetainExceptOnCreate,
        UpdateReplacePolicy=Retain,
        FileSystemType="OPENZFS",
        OpenZFSConfiguration=fsx.OpenZFSConfiguration(
            AutomaticBackupRetentionDays=30,
            CopyTagsToBackups=True,
            CopyTagsToVolumes=True,
            DailyAutomaticBackupStartTime="19:00",
            DeploymentType="SINGLE_AZ_HA_2",
            Options=["DELETE_CHILD_VOLUMES_AND_SNAPSHOTS"],
            RootVolumeConfiguration=fsx.RootVolumeConfiguration(
                DataCompressionType="NONE",
                NfsExports=[fsx.NfsExports(ClientConfigurations=[
                    fsx.ClientConfigurations(
                        Clients="*", Options=["rw", "no_root_squash", "crossmnt"]
                    ),
                ])],
            ),
            ThroughputCapacity=Ref(openzfs_throughput),
            WeeklyMaintenanceStartTime="1:04:00",
        ),
        SecurityGroupIds=[Ref(security_group)],
        StorageCapacity=Ref(openzfs_capacity),
        StorageType="SSD",
        SubnetIds=[Ref(private_subnet)],
    ))

    # ---- Lustre data repository associations: /data imports, the others export ----

    all_events = ["NEW", "CHANGED", "DELETED"]
    t.add_resource(fsx.DataRepositoryAssociation(
        "DataAssociation",
        BatchImportMetaDataOnCreate=True,
        DataRepositoryPath=Sub("s3://${DataBucket}/data/"),
        FileSystemId=Ref(lustre),
        FileSystemPath="/data",
        S3=fsx.S3(AutoImportPolicy=fsx.AutoImportPolicy(Events=all_events)),
    ))
    t.add_resource(fsx.DataRepositoryAssociation(
        "CheckpointsAssociation",
        BatchImportMetaDataOnCreate=False,
        DataRepositoryPath=Sub("s3://${DataBucket}/checkpoints/"),
        FileSystemId=Ref(lustre),
        FileSystemPath="/checkpoints",
        S3=fsx.S3(
            AutoExportPolicy=fsx.AutoExportPolicy(Events=all_events),
            AutoImportPolicy=fsx.AutoImportPolicy(Events=all_events),
        ),
    ))
    t.add_resource(fsx.DataRepositoryAssociation(
        "LogsAssociation",
        BatchImportMetaDataOnCreate=False,
        DataRepositoryPath=Sub("s3://${DataBucket}/logs/"),
        FileSystemId=Ref(lustre),
        FileSystemPath="/logs",
        S3=fsx.S3(AutoExportPolicy=fsx.AutoExportPolicy(Events=all_events)),
    ))
    t.add_resource(fsx.DataRepositoryAssociation(
        "ResultsAssociation",
        BatchImportMetaDataOnCreate=False,
        DataRepositoryPath=Sub("s3://${DataBucket}/results/"),
        FileSystemId=Ref(lustre),
        FileSystemPath="/results",
        S3=fsx.S3(AutoExportPolicy=fsx.AutoExportPolicy(Events=all_events)),
    ))

    # ---- Outputs, each exported as ${AWS::StackName}-<name> ----

    def output(name, description, value):
        t.add_output(Output(
            name,
            Description=description,
            Value=value,
            Export=Export(Sub("${AWS::StackName}-" + name)),
        ))

    image_uri = GetAtt(repository, "RepositoryUri")
    output("PrimaryAvailabilityZone", "Availability Zone of the subnets and file systems",
           Ref(primary_az))
    output("VPC", "ID of the VPC", Ref(vpc))
    output("PublicSubnet", "ID of the public subnet", Ref(public_subnet))
    output("PrimaryPrivateSubnet", "ID of the primary private subnet", Ref(private_subnet))
    output("SecurityGroup", "ID of the EFA security group", Ref(security_group))
    output("FSxLustreFilesystemId", "ID of the FSx for Lustre file system", Ref(lustre))
    output("FSxLustreFilesystemMountname", "Mount name of the FSx for Lustre file system",
           GetAtt(lustre, "LustreMountName"))
    output("FSxLustreFilesystemDNSname", "DNS name of the FSx for Lustre file system",
           GetAtt(lustre, "DNSName"))
    output("FSxORootVolumeId", "ID of the FSx for OpenZFS root volume",
           GetAtt(openzfs, "RootVolumeId"))
    output("HeadNodeBootstrapScript",
           "S3 URI of scripts/bootstrap/head-node-enroot-pyxis-setup.sh "
           "(uploaded by pcstack deploy)",
           Sub("s3://${DataBucket}/scripts/bootstrap/head-node-enroot-pyxis-setup.sh"))
    output("ComputeNodeBootstrapScript",
           "S3 URI of scripts/bootstrap/compute-node-enroot-pyxis-setup.sh "
           "(uploaded by pcstack deploy)",
           Sub("s3://${DataBucket}/scripts/bootstrap/compute-node-enroot-pyxis-setup.sh"))
    output("S3BucketName", "Name of the data bucket", Ref(data_bucket))
    output("ECRRepositoryName", "Name of the training image repository", Ref(repository))
    output("ECRRepositoryUri", "URI of the training image repository", image_uri)
    output("ImageTag", "Tag of the training image (config repository.image_tag)", "latest")
    output("TrainingImageUri", "URI of the training image: repository URI and tag",
           Join(":", [image_uri, "latest"]))
    output("LustreDataDir", "Mounted path of the /data association", "/lustre/data")
    output("LustreCheckpointDir", "Mounted path of the /checkpoints association",
           "/lustre/checkpoints")
    output("LustreLogDir", "Mounted path of the /logs association", "/lustre/logs")
    output("LustreResultsDir", "Mounted path of the /results association", "/lustre/results")
    output("LogBucketName", "Name of the bucket holding S3 access logs and VPC flow logs",
           Ref(log_bucket))
    return t


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    flags = {a for a in argv if a.startswith("--")}
    if len(args) != 1 or flags - {"--phases"}:
        sys.stderr.write(__doc__)
        return 2
    (out,) = args
    t_import = time.perf_counter()

    t = build()
    t_build = time.perf_counter()

    # to_dict() validates each object (required properties, cross-field checks), then
    # cfn-flip dumps YAML; sort_keys=False keeps the order written above.
    yaml_text = t.to_yaml(sort_keys=False)
    t_render = time.perf_counter()

    write_atomic(out, yaml_text)
    t_write = time.perf_counter()

    if "--phases" in flags:
        ms = lambda a, b: f"{(b - a) * 1e3:.1f}"  # noqa: E731
        sys.stderr.write(
            f"import {ms(T0, t_import)} ms, build typed objects {ms(t_import, t_build)} ms, "
            f"validate+render yaml {ms(t_build, t_render)} ms, write {ms(t_render, t_write)} ms "
            f"({len(t.resources)} resources, {len(t.parameters)} parameters, "
            f"{len(t.outputs)} outputs)\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
