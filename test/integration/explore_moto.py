"""Exploration of moto 5.2.1 (moto_server) behaviour for sagemaker-guard.
Evidence only; run with: python3 test/integration/explore_moto.py
Starts moto_server on 127.0.0.1:<free port>, kills it at the end.
"""
import json, os, socket, subprocess, sys, time, urllib.request

import boto3
from botocore.exceptions import ClientError

os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                  AWS_SESSION_TOKEN="testing", AWS_DEFAULT_REGION="us-east-1")
os.environ.pop("AWS_PROFILE", None)


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


PORT = free_port()
URL = f"http://127.0.0.1:{PORT}"
t0 = time.time()
MOTO_LOG = open("/tmp/moto_server_explore.log", "w")
proc = subprocess.Popen(["moto_server", "-H", "127.0.0.1", "-p", str(PORT)],
                        stdout=MOTO_LOG, stderr=subprocess.STDOUT)


def section(t):
    print("\n" + "=" * 10, t, "=" * 10)


def show(label, v):
    if isinstance(v, dict):
        v = {k: x for k, x in v.items() if k != "ResponseMetadata"}
    print(f"-- {label}: " + json.dumps(v, default=str, indent=1))


def err(label, fn, *a, **kw):
    try:
        r = fn(*a, **kw)
        show(label + " (NO ERROR)", r)
    except ClientError as e:
        print(f"-- {label}: ERROR http={e.response['ResponseMetadata'].get('HTTPStatusCode')} "
              f"Code={e.response['Error'].get('Code')!r} Message={e.response['Error'].get('Message')!r}")
    except Exception as e:  # noqa
        print(f"-- {label}: EXC {type(e).__name__}: {e}")


try:
    # ---------- 8. startup ----------
    section("8 startup")
    ready = None
    while time.time() - t0 < 30:
        try:
            with urllib.request.urlopen(URL + "/moto-api/", timeout=1) as r:
                ready = r.status
                break
        except Exception:
            time.sleep(0.05)
    print(f"ready GET /moto-api/ -> {ready} after {time.time() - t0:.2f}s")
    for path in ["/moto-api/data.json", "/moto-api/reset"]:
        try:
            with urllib.request.urlopen(URL + path, timeout=5) as r:
                print("GET", path, r.status, r.read()[:80])
        except Exception as e:
            print("GET", path, "->", e)

    def c(svc):
        return boto3.client(svc, endpoint_url=URL, region_name="us-east-1")

    sm, ec2, sns, sqs, kms, ev, sts = (c(s) for s in ["sagemaker", "ec2", "sns", "sqs", "kms", "events", "sts"])
    print("account:", sts.get_caller_identity()["Account"])

    # ---------- 5. EC2 ----------
    section("5 EC2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    pub = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]
    ec2.modify_subnet_attribute(SubnetId=pub["SubnetId"], MapPublicIpOnLaunch={"Value": True})
    priv = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24")["Subnet"]
    show("create_subnet response", priv)
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    assoc = ec2.associate_route_table(RouteTableId=rt, SubnetId=pub["SubnetId"])
    show("associate_route_table", assoc)
    show("describe_subnets pub+priv", ec2.describe_subnets(SubnetIds=[pub["SubnetId"], priv["SubnetId"]]))
    err("describe_subnets missing", ec2.describe_subnets, SubnetIds=["subnet-deadbeef"])
    show("describe_route_tables association.subnet-id=pub",
         ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [pub["SubnetId"]]}]))
    show("describe_route_tables association.subnet-id=priv (no explicit)",
         ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [priv["SubnetId"]]}]))
    show("describe_route_tables vpc-id + association.main=true",
         ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                            {"Name": "association.main", "Values": ["true"]}]))
    # igw route in main table too -> test
    sgs = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}])
    show("describe_security_groups (default SG of new VPC)", sgs)
    sg = ec2.create_security_group(GroupName="noegress", Description="d", VpcId=vpc)
    show("create_security_group", sg)
    sgid = sg["GroupId"]
    show("new SG before revoke", ec2.describe_security_groups(GroupIds=[sgid]))
    ec2.revoke_security_group_egress(GroupId=sgid, IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    show("new SG after revoke egress", ec2.describe_security_groups(GroupIds=[sgid]))
    sg2 = ec2.create_security_group(GroupName="https-only", Description="d", VpcId=vpc)["GroupId"]
    ec2.revoke_security_group_egress(GroupId=sg2, IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    ec2.authorize_security_group_egress(GroupId=sg2, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])
    show("SG with tcp/443 egress", ec2.describe_security_groups(GroupIds=[sg2])["SecurityGroups"][0]["IpPermissionsEgress"])
    err("describe_security_groups missing", ec2.describe_security_groups, GroupIds=["sg-deadbeef"])
    show("describe_security_group_rules sg2",
         ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [sg2]}]))

    # ---------- 1. notebooks ----------
    section("1 notebooks")
    nb_args = dict(NotebookInstanceName="nb1", InstanceType="ml.t3.medium",
                   RoleArn="arn:aws:iam::123456789012:role/r",
                   SubnetId=pub["SubnetId"], SecurityGroupIds=[sgid],
                   DirectInternetAccess="Disabled", RootAccess="Disabled",
                   KmsKeyId="arn:aws:kms:us-east-1:123456789012:key/abc",
                   InstanceMetadataServiceConfiguration={"MinimumInstanceMetadataServiceVersion": "2"},
                   Tags=[{"Key": "owner", "Value": "alice"}])
    show("create_notebook_instance", sm.create_notebook_instance(**nb_args))
    d = sm.describe_notebook_instance(NotebookInstanceName="nb1")
    show("describe_notebook_instance nb1", d)
    print("keys:", sorted(k for k in d if k != "ResponseMetadata"))
    nb_arn = d["NotebookInstanceArn"]
    show("create minimal nb2", sm.create_notebook_instance(NotebookInstanceName="nb2", InstanceType="ml.t3.medium",
                                                           RoleArn="arn:aws:iam::123456789012:role/r"))
    d2 = sm.describe_notebook_instance(NotebookInstanceName="nb2")
    show("describe nb2 (minimal)", d2)
    err("create nb with nonexistent subnet", sm.create_notebook_instance, NotebookInstanceName="nb3",
        InstanceType="ml.t3.medium", RoleArn="arn:aws:iam::123456789012:role/r",
        SubnetId="subnet-doesnotexist", SecurityGroupIds=["sg-nope"], DirectInternetAccess="Enabled")
    err("describe nb3", sm.describe_notebook_instance, NotebookInstanceName="nb3")
    err("create nb with DirectInternetAccess=Disabled, no subnet", sm.create_notebook_instance,
        NotebookInstanceName="nb4", InstanceType="ml.t3.medium", RoleArn="arn:aws:iam::123456789012:role/r",
        DirectInternetAccess="Disabled")
    err("create nb invalid instance type", sm.create_notebook_instance, NotebookInstanceName="nb5",
        InstanceType="ml.bogus", RoleArn="arn:aws:iam::123456789012:role/r")
    err("create duplicate nb1", sm.create_notebook_instance, **nb_args)
    show("stop_notebook_instance nb1", sm.stop_notebook_instance(NotebookInstanceName="nb1"))
    print("status after stop:", sm.describe_notebook_instance(NotebookInstanceName="nb1")["NotebookInstanceStatus"])
    err("stop already-stopped nb1", sm.stop_notebook_instance, NotebookInstanceName="nb1")
    err("stop missing nb", sm.stop_notebook_instance, NotebookInstanceName="nope")
    err("describe missing nb", sm.describe_notebook_instance, NotebookInstanceName="nope")
    show("start nb1", sm.start_notebook_instance(NotebookInstanceName="nb1"))
    print("status after start:", sm.describe_notebook_instance(NotebookInstanceName="nb1")["NotebookInstanceStatus"])
    show("list_notebook_instances", sm.list_notebook_instances())
    err("delete InService nb2", sm.delete_notebook_instance, NotebookInstanceName="nb2")

    # ---------- 3. models ----------
    section("3 models")
    role = "arn:aws:iam::123456789012:role/r"
    m1 = sm.create_model(ModelName="m1", ExecutionRoleArn=role,
                         PrimaryContainer={"Image": "123.dkr.ecr.us-east-1.amazonaws.com/x:1",
                                           "ModelDataUrl": "s3://b/k", "Environment": {"A": "1"}},
                         Tags=[{"Key": "owner", "Value": "bob"}])
    show("create_model m1", m1)
    dm = sm.describe_model(ModelName="m1")
    show("describe_model m1", dm)
    print("keys:", sorted(k for k in dm if k != "ResponseMetadata"))
    sm.create_model(ModelName="m2", ExecutionRoleArn=role,
                    Containers=[{"Image": "a:1"}, {"Image": "b:1"}],
                    VpcConfig={"SecurityGroupIds": [sgid], "Subnets": [priv["SubnetId"]]},
                    EnableNetworkIsolation=True)
    dm2 = sm.describe_model(ModelName="m2")
    show("describe_model m2 (Containers+VpcConfig+EnableNetworkIsolation=True)", dm2)
    err("create_model invalid subnet in VpcConfig", sm.create_model, ModelName="m3", ExecutionRoleArn=role,
        PrimaryContainer={"Image": "a:1"}, VpcConfig={"SecurityGroupIds": ["sg-nope"], "Subnets": ["subnet-nope"]})
    err("describe_model missing", sm.describe_model, ModelName="nope")
    err("delete_model missing", sm.delete_model, ModelName="nope")
    show("list_models", sm.list_models())

    # ---------- 4. training jobs ----------
    section("4 training jobs")
    tj_args = dict(
        TrainingJobName="tj1",
        AlgorithmSpecification={"TrainingImage": "123.dkr.ecr.us-east-1.amazonaws.com/t:1", "TrainingInputMode": "File"},
        RoleArn=role,
        OutputDataConfig={"S3OutputPath": "s3://b/out", "KmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/out"},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10,
                        "VolumeKmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/vol"},
        StoppingCondition={"MaxRuntimeInSeconds": 3600},
        VpcConfig={"SecurityGroupIds": [sgid], "Subnets": [priv["SubnetId"]]},
        EnableNetworkIsolation=True,
        EnableInterContainerTrafficEncryption=True,
        Tags=[{"Key": "owner", "Value": "carol"}],
    )
    show("create_training_job tj1", sm.create_training_job(**tj_args))
    dt = sm.describe_training_job(TrainingJobName="tj1")
    show("describe_training_job tj1", dt)
    print("keys:", sorted(k for k in dt if k != "ResponseMetadata"))
    tj_arn = dt["TrainingJobArn"]
    min_tj = dict(TrainingJobName="tj2",
                  AlgorithmSpecification={"TrainingImage": "t:1", "TrainingInputMode": "File"},
                  RoleArn=role, OutputDataConfig={"S3OutputPath": "s3://b/out"},
                  ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10},
                  StoppingCondition={"MaxRuntimeInSeconds": 3600})
    sm.create_training_job(**min_tj)
    show("describe tj2 (minimal)", sm.describe_training_job(TrainingJobName="tj2"))
    err("stop_training_job tj1", sm.stop_training_job, TrainingJobName="tj1")
    print("status after stop attempt:", sm.describe_training_job(TrainingJobName="tj1")["TrainingJobStatus"])
    err("stop_training_job missing", sm.stop_training_job, TrainingJobName="nope")
    err("describe_training_job missing", sm.describe_training_job, TrainingJobName="nope")
    show("list_training_jobs", sm.list_training_jobs())

    # ---------- 2. tags ----------
    section("2 tags")
    m_arn = dm["ModelArn"]
    for label, arn in [("notebook", nb_arn), ("model", m_arn), ("training job", tj_arn)]:
        err(f"list_tags {label} (before)", sm.list_tags, ResourceArn=arn)
        err(f"add_tags {label}", sm.add_tags, ResourceArn=arn, Tags=[{"Key": "guard:action", "Value": "stopped"}])
        err(f"list_tags {label} (after)", sm.list_tags, ResourceArn=arn)
    err("delete_tags model", sm.delete_tags, ResourceArn=m_arn, TagKeys=["guard:action"])
    err("list_tags model after delete_tags", sm.list_tags, ResourceArn=m_arn)
    err("list_tags missing arn", sm.list_tags,
        ResourceArn="arn:aws:sagemaker:us-east-1:123456789012:model/nope")
    err("add_tags missing arn", sm.add_tags,
        ResourceArn="arn:aws:sagemaker:us-east-1:123456789012:model/nope", Tags=[{"Key": "a", "Value": "b"}])

    # delete model now
    show("delete_model m1", sm.delete_model(ModelName="m1"))
    err("describe_model m1 after delete", sm.describe_model, ModelName="m1")
    err("delete_model m1 again", sm.delete_model, ModelName="m1")

    # ---------- 6. SNS + SQS ----------
    section("6 SNS/SQS")
    key = kms.create_key(Description="k")["KeyMetadata"]
    show("kms key", {"KeyId": key["KeyId"], "Arn": key["Arn"]})
    kms.create_alias(AliasName="alias/guard", TargetKeyId=key["KeyId"])
    t = sns.create_topic(Name="guard", Attributes={"KmsMasterKeyId": key["Arn"]})
    topic = t["TopicArn"]
    show("create_topic", t)
    show("get_topic_attributes", sns.get_topic_attributes(TopicArn=topic))
    t2 = sns.create_topic(Name="guard-alias", Attributes={"KmsMasterKeyId": "alias/guard"})
    show("get_topic_attributes alias", sns.get_topic_attributes(TopicArn=t2["TopicArn"])["Attributes"].get("KmsMasterKeyId"))
    err("create_topic with bogus KmsMasterKeyId", sns.create_topic, Name="guard-bogus",
        Attributes={"KmsMasterKeyId": "not-a-key"})

    def queue(name):
        u = sqs.create_queue(QueueName=name)["QueueUrl"]
        a = sqs.get_queue_attributes(QueueUrl=u, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return u, a

    q_env, q_env_arn = queue("env")
    q_raw, q_raw_arn = queue("raw")
    q_filt, q_filt_arn = queue("filt")
    print("queue url:", q_env, "arn:", q_env_arn)
    s1 = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=q_env_arn, ReturnSubscriptionArn=True)
    show("subscribe", s1)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=q_raw_arn,
                  Attributes={"RawMessageDelivery": "true"})
    s3 = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=q_filt_arn,
                       Attributes={"FilterPolicy": json.dumps({"action": ["deleted"]})},
                       ReturnSubscriptionArn=True)
    show("get_subscription_attributes (filter)", sns.get_subscription_attributes(SubscriptionArn=s3["SubscriptionArn"]))
    pr = sns.publish(TopicArn=topic, Subject="SageMaker Guard: stopped nb1",
                     Message=json.dumps({"resource": "nb1", "action": "stopped"}),
                     MessageAttributes={"action": {"DataType": "String", "StringValue": "stopped"},
                                        "severity": {"DataType": "String", "StringValue": "HIGH"}})
    show("publish", pr)
    sns.publish(TopicArn=topic, Subject="x", Message="second",
                MessageAttributes={"action": {"DataType": "String", "StringValue": "deleted"}})

    def drain(url, label):
        msgs = []
        for _ in range(3):
            r = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"],
                                    AttributeNames=["All"], WaitTimeSeconds=0)
            msgs += r.get("Messages", [])
            if not r.get("Messages"):
                break
        print(f"-- {label}: {len(msgs)} message(s)")
        for m in msgs:
            print("   Body:", m["Body"])
            if m.get("MessageAttributes"):
                print("   SQS MessageAttributes:", json.dumps(m["MessageAttributes"]))
        return msgs

    drain(q_env, "envelope queue")
    drain(q_raw, "raw queue")
    drain(q_filt, "filter-policy queue (policy action=[deleted])")
    err("publish Subject too long (>100)", sns.publish, TopicArn=topic, Subject="x" * 101, Message="m")
    err("publish Subject with newline", sns.publish, TopicArn=topic, Subject="a\nb", Message="m")
    err("publish to missing topic", sns.publish,
        TopicArn="arn:aws:sns:us-east-1:123456789012:nope", Message="m")
    err("publish empty message", sns.publish, TopicArn=topic, Message="")

    # ---------- 7. EventBridge ----------
    section("7 EventBridge")
    q_ev, q_ev_arn = queue("ev")
    pattern = {"source": ["aws.sagemaker"],
               "detail-type": ["SageMaker Notebook Instance State Change", "SageMaker Training Job State Change"],
               "detail": {"NotebookInstanceStatus": ["InService", "Pending"]}}
    show("put_rule", ev.put_rule(Name="r1", EventPattern=json.dumps(pattern), State="ENABLED"))
    show("put_targets", ev.put_targets(Rule="r1", Targets=[{"Id": "q", "Arn": q_ev_arn}]))
    entries = [
        {"Source": "aws.sagemaker", "DetailType": "SageMaker Notebook Instance State Change",
         "Detail": json.dumps({"NotebookInstanceStatus": "InService", "NotebookInstanceName": "match1"}),
         "Resources": ["arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/match1"]},
        {"Source": "aws.sagemaker", "DetailType": "SageMaker Notebook Instance State Change",
         "Detail": json.dumps({"NotebookInstanceStatus": "Stopped", "NotebookInstanceName": "nomatch-status"})},
        {"Source": "aws.other", "DetailType": "SageMaker Notebook Instance State Change",
         "Detail": json.dumps({"NotebookInstanceStatus": "InService", "NotebookInstanceName": "nomatch-source"})},
        {"Source": "aws.sagemaker", "DetailType": "Something Else",
         "Detail": json.dumps({"NotebookInstanceStatus": "InService", "NotebookInstanceName": "nomatch-dt"})},
        {"Source": "aws.sagemaker", "DetailType": "SageMaker Training Job State Change",
         "Detail": json.dumps({"NotebookInstanceStatus": "Pending", "NotebookInstanceName": "match2"})},
    ]
    show("put_events", ev.put_events(Entries=entries))
    drain(q_ev, "eventbridge target queue (expect match1, match2)")
    # nested detail pattern
    q_ev2, q_ev2_arn = queue("ev2")
    ev.put_rule(Name="r2", EventPattern=json.dumps(
        {"source": ["aws.sagemaker"], "detail": {"TrainingJobStatus": ["InProgress"],
                                                 "ResourceConfig": {"InstanceType": ["ml.m5.large"]}}}))
    ev.put_targets(Rule="r2", Targets=[{"Id": "q", "Arn": q_ev2_arn}])
    ev.put_events(Entries=[
        {"Source": "aws.sagemaker", "DetailType": "d", "Detail": json.dumps(
            {"TrainingJobStatus": "InProgress", "ResourceConfig": {"InstanceType": "ml.m5.large"}, "n": "nested-match"})},
        {"Source": "aws.sagemaker", "DetailType": "d", "Detail": json.dumps(
            {"TrainingJobStatus": "InProgress", "ResourceConfig": {"InstanceType": "ml.p3.2xlarge"}, "n": "nested-nomatch"})},
    ])
    drain(q_ev2, "nested pattern queue (expect nested-match only)")
    # rule with input transformer / Input
    err("test_event_pattern match", ev.test_event_pattern, EventPattern=json.dumps(pattern), Event=json.dumps({
        "id": "1", "source": "aws.sagemaker", "detail-type": "SageMaker Notebook Instance State Change",
        "account": "123456789012", "region": "us-east-1", "time": "2024-01-01T00:00:00Z", "resources": [],
        "detail": {"NotebookInstanceStatus": "InService"}}))
    err("test_event_pattern nomatch", ev.test_event_pattern, EventPattern=json.dumps(pattern), Event=json.dumps({
        "id": "1", "source": "aws.sagemaker", "detail-type": "SageMaker Notebook Instance State Change",
        "account": "123456789012", "region": "us-east-1", "time": "2024-01-01T00:00:00Z", "resources": [],
        "detail": {"NotebookInstanceStatus": "Stopped"}}))
    # pattern with prefix / anything-but / exists
    q_ev3, q_ev3_arn = queue("ev3")
    ev.put_rule(Name="r3", EventPattern=json.dumps(
        {"source": [{"prefix": "aws.sage"}], "detail": {"Status": [{"anything-but": ["Stopped"]}],
                                                       "Opt": [{"exists": False}]}}))
    ev.put_targets(Rule="r3", Targets=[{"Id": "q", "Arn": q_ev3_arn}])
    ev.put_events(Entries=[
        {"Source": "aws.sagemaker", "DetailType": "d", "Detail": json.dumps({"Status": "InService", "n": "adv-match"})},
        {"Source": "aws.sagemaker", "DetailType": "d", "Detail": json.dumps({"Status": "Stopped", "n": "adv-nomatch-ab"})},
        {"Source": "aws.sagemaker", "DetailType": "d", "Detail": json.dumps({"Status": "InService", "Opt": 1, "n": "adv-nomatch-exists"})},
    ])
    drain(q_ev3, "prefix/anything-but/exists queue (expect adv-match only)")


    # ---------- extra checks ----------
    section("extra")
    sm.create_notebook_instance(NotebookInstanceName="MyMixedCase", InstanceType="ml.t3.medium", RoleArn=role)
    print("mixed-case notebook ARN:", sm.describe_notebook_instance(NotebookInstanceName="MyMixedCase")["NotebookInstanceArn"])
    err("describe notebook by lowercase name", sm.describe_notebook_instance, NotebookInstanceName="mymixedcase")
    sm.add_tags(ResourceArn=nb_arn, Tags=[{"Key": "guard:action", "Value": "again"}])
    show("list_tags notebook after add_tags with an EXISTING key", sm.list_tags(ResourceArn=nb_arn))
    # IGW route in the main route table
    vpc2 = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    sub2 = ec2.create_subnet(VpcId=vpc2, CidrBlock="10.1.1.0/24")["Subnet"]["SubnetId"]
    igw2 = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw2, VpcId=vpc2)
    main_rt = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc2]},
                                                 {"Name": "association.main", "Values": ["true"]}])["RouteTables"][0]
    ec2.create_route(RouteTableId=main_rt["RouteTableId"], DestinationCidrBlock="0.0.0.0/0", GatewayId=igw2)
    show("main RT routes after adding igw route", ec2.describe_route_tables(
        RouteTableIds=[main_rt["RouteTableId"]])["RouteTables"][0]["Routes"])
    nat_rt = ec2.create_route_table(VpcId=vpc2)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=nat_rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId="nat-0123456789abcdef0")
    show("route to (nonexistent) NAT gw", ec2.describe_route_tables(RouteTableIds=[nat_rt])["RouteTables"][0]["Routes"])
    dv = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    print("default VPC:", [v["VpcId"] for v in dv])
    ds = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [dv[0]["VpcId"]]}])["Subnets"]
    print("default VPC subnets:", [(x["SubnetId"], x["AvailabilityZone"], x["MapPublicIpOnLaunch"], x["DefaultForAz"]) for x in ds])
    err("describe_subnets mixed existing+missing", ec2.describe_subnets, SubnetIds=[sub2, "subnet-deadbeef"])
    err("describe_route_tables filter on missing subnet", ec2.describe_route_tables,
        Filters=[{"Name": "association.subnet-id", "Values": ["subnet-deadbeef"]}])
    err("list_tags on deleted model arn", sm.list_tags, ResourceArn=m_arn)
    err("describe_notebook_instance by ARN instead of name", sm.describe_notebook_instance, NotebookInstanceName=nb_arn)
    # raw test_event_pattern response
    import botocore.awsrequest  # noqa
    r = urllib.request.Request(URL + "/", method="POST", data=json.dumps({"EventPattern": "{}", "Event": "{}"}).encode(),
                               headers={"X-Amz-Target": "AWSEvents.TestEventPattern",
                                        "Content-Type": "application/x-amz-json-1.1",
                                        "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/events/aws4_request, SignedHeaders=host, Signature=x"})
    with urllib.request.urlopen(r, timeout=5) as resp:
        print("raw TestEventPattern ->", resp.status, repr(resp.read()[:200]))

    # ---------- JS SDK v3 ----------
    section("JS SDK v3 via AWS_ENDPOINT_URL")
    sm.create_notebook_instance(NotebookInstanceName="jsnb", InstanceType="ml.t3.medium", RoleArn=role,
                                SubnetId=pub["SubnetId"], SecurityGroupIds=[sgid])
    sm.create_training_job(**dict(min_tj, TrainingJobName="jstj"))
    js = r"""
const { SageMakerClient, DescribeNotebookInstanceCommand, StopNotebookInstanceCommand,
        StopTrainingJobCommand, DescribeModelCommand, ListTagsCommand } = require('@aws-sdk/client-sagemaker');
const { EC2Client, DescribeSubnetsCommand, DescribeRouteTablesCommand } = require('@aws-sdk/client-ec2');
const { SNSClient, PublishCommand, ListTopicsCommand } = require('@aws-sdk/client-sns');
const sm = new SageMakerClient({}); const ec2 = new EC2Client({}); const sns = new SNSClient({});
async function t(label, p) {
  const t0 = Date.now();
  try { const r = await p; delete r.$metadata; console.log('-- JS', label, 'OK', JSON.stringify(r).slice(0, 400)); }
  catch (e) { console.log('-- JS', label, 'ERR name=' + e.name, 'message=' + JSON.stringify(String(e.message).slice(0, 120)),
      'http=' + (e.$metadata && e.$metadata.httpStatusCode), 'attempts=' + (e.$metadata && e.$metadata.attempts),
      'fault=' + e.$fault, 'ms=' + (Date.now() - t0)); }
}
(async () => {
  await t('DescribeNotebookInstance', sm.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: 'jsnb' })));
  await t('StopNotebookInstance', sm.send(new StopNotebookInstanceCommand({ NotebookInstanceName: 'jsnb' })));
  await t('DescribeNotebookInstance missing', sm.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: 'nope' })));
  await t('DescribeModel missing', sm.send(new DescribeModelCommand({ ModelName: 'nope' })));
  await t('StopTrainingJob', sm.send(new StopTrainingJobCommand({ TrainingJobName: 'jstj' })));
  await t('ListTags', sm.send(new ListTagsCommand({ ResourceArn: process.argv[2] })));
  await t('DescribeSubnets', ec2.send(new DescribeSubnetsCommand({ SubnetIds: [process.argv[3]] })));
  await t('DescribeSubnets missing', ec2.send(new DescribeSubnetsCommand({ SubnetIds: ['subnet-deadbeef'] })));
  await t('DescribeRouteTables', ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [process.argv[3]] }] })));
  await t('ListTopics', sns.send(new ListTopicsCommand({})));
  await t('Publish missing topic', sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:nope', Message: 'x' })));
})();
"""
    jsfile = "/tmp/explore_moto_sdk.cjs"
    open(jsfile, "w").write(js)
    env = dict(os.environ, AWS_ENDPOINT_URL=URL, AWS_REGION="us-east-1",
               NODE_PATH=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "node_modules"))
    out = subprocess.run(["node", jsfile, nb_arn, pub["SubnetId"]], env=env, capture_output=True, text=True, timeout=120)
    print(out.stdout, out.stderr[-2000:])
    print("jsnb status after JS stop:", sm.describe_notebook_instance(NotebookInstanceName="jsnb")["NotebookInstanceStatus"])

    # ---------- 8. reset ----------
    section("8 reset")
    req = urllib.request.Request(URL + "/moto-api/reset", method="POST")
    with urllib.request.urlopen(req, timeout=5) as r:
        print("POST /moto-api/reset ->", r.status, r.read()[:100])
    print("notebooks after reset:", sm.list_notebook_instances()["NotebookInstances"])
    print("vpcs after reset:", [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]])
    print("topics after reset:", sns.list_topics()["Topics"])
    print("queues after reset:", sqs.list_queues().get("QueueUrls"))
    print("rules after reset:", [r["Name"] for r in ev.list_rules()["Rules"]])
finally:
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
    print("\nmoto_server stopped")
