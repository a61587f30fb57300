//! A VPC with a primary and a secondary IPv4 block, one public subnet cut from the primary,
//! one private subnet cut from the secondary, an internet gateway, a NAT gateway, routes,
//! and an optional S3 gateway endpoint, with the dependencies CloudFormation needs.

use crate::l1::ec2::{
    eip, flow_log, internet_gateway, nat_gateway, route, route_table, subnet,
    subnet_route_table_association, vpc, vpc_cidr_block, vpc_endpoint, vpc_gateway_attachment,
    FlowLog, InternetGateway, NatGateway, RouteTable, Subnet, VPCEndpoint, VPC,
};
use crate::Tags;
use crate::TagsFrom;
use synth::{Arg, Expr, Handle, LogicalId, Pseudo, ResourceOptions, Template, Value};

/// The logical IDs of every resource the network creates, chosen by the stack.
#[derive(Debug, Clone, Copy)]
pub struct NetworkIds<'a> {
    /// The `AWS::EC2::VPC`.
    pub vpc: &'a str,
    /// The `AWS::EC2::VPCCidrBlock` that adds the secondary block.
    pub secondary_cidr: &'a str,
    /// The `AWS::EC2::InternetGateway`.
    pub internet_gateway: &'a str,
    /// The `AWS::EC2::VPCGatewayAttachment` of the internet gateway.
    pub gateway_attachment: &'a str,
    /// The `AWS::EC2::EIP` of the NAT gateway.
    pub elastic_ip: &'a str,
    /// The `AWS::EC2::NatGateway`, in the public subnet.
    pub nat_gateway: &'a str,
    /// The public `AWS::EC2::Subnet`.
    pub public_subnet: &'a str,
    /// The private `AWS::EC2::Subnet`.
    pub private_subnet: &'a str,
    /// The public subnet's `AWS::EC2::RouteTable`.
    pub public_route_table: &'a str,
    /// The private subnet's `AWS::EC2::RouteTable`.
    pub private_route_table: &'a str,
    /// The public default route (`AWS::EC2::Route` to the internet gateway).
    pub public_route: &'a str,
    /// The private default route (`AWS::EC2::Route` to the NAT gateway).
    pub private_route: &'a str,
    /// The public subnet's `AWS::EC2::SubnetRouteTableAssociation`.
    pub public_subnet_association: &'a str,
    /// The private subnet's `AWS::EC2::SubnetRouteTableAssociation`.
    pub private_subnet_association: &'a str,
}

/// What the network is built from. CIDRs may be literals or expressions (a mapping lookup).
#[derive(Debug, Clone)]
pub struct NetworkProps {
    /// The VPC's block; the public subnet is its first half.
    pub primary_cidr: Value<String>,
    /// The secondary block; the private subnet is its first half.
    pub secondary_cidr: Value<String>,
    /// Where both subnets are.
    pub availability_zone: Value<String>,
    /// The VPC's `Name` tag.
    pub vpc_name_tag: Value<String>,
    /// The public subnet's `Name` tag.
    pub public_subnet_name_tag: Value<String>,
    /// The private subnet's `Name` tag.
    pub private_subnet_name_tag: Value<String>,
    /// Tags on every resource that takes them.
    pub tags: Tags,
}

/// Handles to what other constructs attach to.
#[derive(Debug, Clone)]
pub struct Network {
    /// The VPC.
    pub vpc: Handle<VPC>,
    /// The public subnet (routes to the internet gateway).
    pub public_subnet: Handle<Subnet>,
    /// The private subnet (routes out through the NAT gateway).
    pub private_subnet: Handle<Subnet>,
    /// The public subnet's route table.
    pub public_route_table: Handle<RouteTable>,
    /// The private subnet's route table, where gateway endpoints attach.
    pub private_route_table: Handle<RouteTable>,
    /// The internet gateway.
    pub internet_gateway: Handle<InternetGateway>,
    /// The NAT gateway.
    pub nat_gateway: Handle<NatGateway>,
    /// The VPCCidrBlock that adds the secondary block, which subnets cut from it wait for.
    pub secondary_cidr: Handle<vpc_cidr_block::VPCCidrBlock>,
    /// The second private subnet, when [`Network::add_second_private_subnet`] made one.
    pub second_private: Option<SecondPrivateSubnet>,
}

/// The logical IDs of a second private subnet and its routing.
#[derive(Debug, Clone, Copy)]
pub struct SecondPrivateSubnetIds<'a> {
    /// The `AWS::EC2::Subnet`.
    pub subnet: &'a str,
    /// Its own `AWS::EC2::RouteTable`.
    pub route_table: &'a str,
    /// Its default `AWS::EC2::Route` to the NAT gateway.
    pub route: &'a str,
    /// Its `AWS::EC2::SubnetRouteTableAssociation`.
    pub association: &'a str,
}

/// A second private subnet, in another Availability Zone.
#[derive(Debug, Clone)]
pub struct SecondPrivateSubnet {
    /// The subnet.
    pub subnet: Handle<Subnet>,
    /// Its route table, where gateway endpoints attach.
    pub route_table: Handle<RouteTable>,
}

/// `Fn::Select [1, Fn::Cidr [block, 2, 15]]`: the second /17 of a /16 block.
fn second_half(block: impl Into<Arg>) -> Value<String> {
    Expr::select(1, Expr::cidr(block, 2, 15)).into()
}

/// `Fn::Select [0, Fn::Cidr [block, 2, 15]]`: the first /17 of a /16 block.
fn first_half(block: impl Into<Arg>) -> Value<String> {
    Expr::select(0, Expr::cidr(block, 2, 15)).into()
}

impl Network {
    /// Adds the VPC and everything listed in the module docs to `t`, under `ids`.
    pub fn add(t: &mut Template, ids: NetworkIds<'_>, props: NetworkProps) -> Network {
        props.tags.check(t, &format!("{} (AWS::EC2::VPC)", ids.vpc));
        let (vpc, secondary, igw, attachment) = Self::vpc_and_gateway(t, &ids, &props);
        let after_attachment = ResourceOptions::default().depends_on(attachment.id());
        // An EIP in a VPC made by the same template must wait for the gateway attachment
        // (CloudFormation EIP reference, "DependsOn" note); the same holds for the public route.
        let eip = t.add_with(
            ids.elastic_ip,
            eip::EIP::new().domain("vpc").tags_from(&props.tags),
            after_attachment.clone(),
        );
        let (public_subnet, private_subnet) = Self::subnets(t, &ids, &props, &vpc, &secondary);
        let nat = t.add(
            ids.nat_gateway,
            nat_gateway::NatGateway::new()
                .allocation_id(&eip)
                .subnet_id(&public_subnet)
                .tags_from(&props.tags),
        );
        let route_table = |t: &mut Template, id: &str| {
            t.add(
                id,
                route_table::RouteTable::new()
                    .vpc_id(&vpc)
                    .tags_from(&props.tags),
            )
        };
        let public_rt = route_table(t, ids.public_route_table);
        let private_rt = route_table(t, ids.private_route_table);
        t.add_with(
            ids.public_route,
            route::Route::new()
                .route_table_id(&public_rt)
                .destination_cidr_block("0.0.0.0/0")
                .gateway_id(igw.ref_value()),
            after_attachment,
        );
        t.add(
            ids.private_route,
            route::Route::new()
                .route_table_id(&private_rt)
                .destination_cidr_block("0.0.0.0/0")
                .nat_gateway_id(&nat),
        );
        for (id, subnet, rt) in [
            (ids.public_subnet_association, &public_subnet, &public_rt),
            (ids.private_subnet_association, &private_subnet, &private_rt),
        ] {
            t.add(
                id,
                subnet_route_table_association::SubnetRouteTableAssociation::new()
                    .subnet_id(subnet)
                    .route_table_id(rt),
            );
        }
        Network {
            vpc,
            public_subnet,
            private_subnet,
            public_route_table: public_rt,
            private_route_table: private_rt,
            internet_gateway: igw,
            nat_gateway: nat,
            secondary_cidr: secondary,
            second_private: None,
        }
    }

    /// A second private subnet in `availability_zone`: the second half of the secondary block
    /// (`secondary_cidr`, the block [`NetworkProps::secondary_cidr`] gave), with its own route
    /// table whose default route goes out through the NAT gateway. Call it before
    /// [`Network::add_s3_gateway_endpoint`], which then attaches to its route table too.
    pub fn add_second_private_subnet(
        &mut self,
        t: &mut Template,
        ids: SecondPrivateSubnetIds<'_>,
        secondary_cidr: Value<String>,
        availability_zone: Value<String>,
        name_tag: Value<String>,
        tags: &Tags,
    ) -> SecondPrivateSubnet {
        let subnet = t.add_with(
            ids.subnet,
            subnet::Subnet::new()
                .vpc_id(&self.vpc)
                .cidr_block(second_half(secondary_cidr))
                .availability_zone(availability_zone)
                .tags_from(&tags.with_name(name_tag)),
            ResourceOptions::default().depends_on(self.secondary_cidr.id()),
        );
        let route_table = t.add(
            ids.route_table,
            route_table::RouteTable::new()
                .vpc_id(&self.vpc)
                .tags_from(tags),
        );
        t.add(
            ids.route,
            route::Route::new()
                .route_table_id(&route_table)
                .destination_cidr_block("0.0.0.0/0")
                .nat_gateway_id(&self.nat_gateway),
        );
        t.add(
            ids.association,
            subnet_route_table_association::SubnetRouteTableAssociation::new()
                .subnet_id(&subnet)
                .route_table_id(&route_table),
        );
        let second = SecondPrivateSubnet {
            subnet,
            route_table,
        };
        self.second_private = Some(second.clone());
        second
    }

    /// The VPC, its secondary block, the internet gateway and its attachment.
    fn vpc_and_gateway(
        t: &mut Template,
        ids: &NetworkIds<'_>,
        props: &NetworkProps,
    ) -> (
        Handle<VPC>,
        Handle<vpc_cidr_block::VPCCidrBlock>,
        Handle<InternetGateway>,
        Handle<vpc_gateway_attachment::VPCGatewayAttachment>,
    ) {
        let vpc = t.add(
            ids.vpc,
            vpc::VPC::new()
                .cidr_block(props.primary_cidr.clone())
                .enable_dns_support(true)
                .enable_dns_hostnames(true)
                .tags_from(&props.tags.with_name(props.vpc_name_tag.clone())),
        );
        let secondary = t.add(
            ids.secondary_cidr,
            vpc_cidr_block::VPCCidrBlock::new()
                .vpc_id(&vpc)
                .cidr_block(props.secondary_cidr.clone()),
        );
        let igw = t.add(
            ids.internet_gateway,
            internet_gateway::InternetGateway::new().tags_from(&props.tags),
        );
        let attachment = t.add(
            ids.gateway_attachment,
            vpc_gateway_attachment::VPCGatewayAttachment::new()
                .vpc_id(&vpc)
                .internet_gateway_id(&igw),
        );
        (vpc, secondary, igw, attachment)
    }

    /// The public subnet (first half of the primary block) and the private one (first half of
    /// the secondary block).
    fn subnets(
        t: &mut Template,
        ids: &NetworkIds<'_>,
        props: &NetworkProps,
        vpc: &Handle<VPC>,
        secondary: &Handle<vpc_cidr_block::VPCCidrBlock>,
    ) -> (Handle<Subnet>, Handle<Subnet>) {
        let public_subnet = t.add(
            ids.public_subnet,
            subnet::Subnet::new()
                .vpc_id(vpc)
                .cidr_block(first_half(vpc.get_att(vpc::VPCAttr::CidrBlock)))
                .availability_zone(props.availability_zone.clone())
                .map_public_ip_on_launch(true)
                .tags_from(&props.tags.with_name(props.public_subnet_name_tag.clone())),
        );
        // The private subnet is cut from the secondary block, which CloudFormation doesn't know
        // it needs: nothing in the subnet refers to the VPCCidrBlock resource.
        let private_subnet = t.add_with(
            ids.private_subnet,
            subnet::Subnet::new()
                .vpc_id(vpc)
                .cidr_block(first_half(props.secondary_cidr.clone()))
                .availability_zone(props.availability_zone.clone())
                .tags_from(&props.tags.with_name(props.private_subnet_name_tag.clone())),
            ResourceOptions::default().depends_on(secondary.id()),
        );
        (public_subnet, private_subnet)
    }

    /// An S3 gateway endpoint on the route tables (the second private subnet's too, when
    /// there is one), created when `condition` holds.
    ///
    /// The service name is `com.amazonaws.<region>.s3`, built with `Fn::Join` as the tutorial's
    /// template does, so a stack made from it keeps its endpoint (ServiceName is create-only).
    /// Source: <https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html>
    pub fn add_s3_gateway_endpoint(
        &self,
        t: &mut Template,
        id: &str,
        condition: Option<&LogicalId>,
        policy: serde_json::Value,
    ) -> Handle<VPCEndpoint> {
        let mut options = crate::suppress(ResourceOptions::default(), "I1022", SERVICE_NAME_JOIN);
        options = crate::note(options, "PolicyDocument", OPEN_ENDPOINT_POLICY);
        options.condition = condition.cloned();
        let service: Value<String> = Expr::join(
            "",
            vec![
                "com.amazonaws.".into(),
                Expr::Pseudo(Pseudo::Region).into(),
                ".s3".into(),
            ],
        )
        .into();
        t.add_with(
            id,
            vpc_endpoint::VPCEndpoint::new()
                .policy_document(policy)
                .route_table_ids(
                    [&self.public_route_table, &self.private_route_table]
                        .into_iter()
                        .chain(self.second_private.as_ref().map(|s| &s.route_table))
                        .map(|rt| rt.refer())
                        .collect::<Vec<_>>(),
                )
                .service_name(service)
                .vpc_id(&self.vpc),
            options,
        )
    }
}

impl Network {
    /// VPC flow logs of all traffic to a bucket made by [`crate::store::add_log_bucket`],
    /// under `vpc-flow-logs/`. Waits for the bucket policy that lets log delivery write.
    /// Source: <https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3.html>
    pub fn add_flow_logs(
        &self,
        t: &mut Template,
        id: &str,
        logs: &crate::store::LogBucket,
        tags: &Tags,
    ) -> Handle<FlowLog> {
        t.add_with(
            id,
            flow_log::FlowLog::new()
                .resource_id(self.vpc.ref_value())
                .resource_type("VPC")
                .traffic_type("ALL")
                .log_destination_type("s3")
                .log_destination(Expr::sub(format!(
                    "${{{}.Arn}}/vpc-flow-logs/",
                    logs.bucket.id()
                )))
                .tags_from(tags),
            ResourceOptions::default().depends_on(logs.policy.id()),
        )
    }
}

/// Why I1022 (prefer Fn::Sub over Fn::Join) stays suppressed on the endpoint.
pub const SERVICE_NAME_JOIN: &str = "ServiceName is create-only; it keeps the tutorial template's Fn::Join expression so a stack created from it keeps its endpoint instead of replacing it.";

/// Why the endpoint policy stays open.
pub const OPEN_ENDPOINT_POLICY: &str = "Open on purpose: cluster nodes reach S3 buckets pcstack doesn't know (ECR image layers, ParallelCluster's own buckets, OS package repositories, datasets in other accounts); a list of buckets here would break them in ways that are hard to trace. Access control stays with IAM and the bucket policies.";

/// An endpoint policy that allows everything through the endpoint (the gateway's default).
pub fn open_endpoint_policy() -> serde_json::Value {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": ["*"], "Resource": ["*"]}]
    })
}
