#!/usr/bin/env python3
"""IEEE-double model of bench/nbody.st, used to compute its expected result.

It performs exactly the Float operations of nbody.st, in the same order
(f:e: constants, Newton sqrt with 16 steps, 100 steps of 0.01), and prints
the initial and final energies and the value the benchmark checks:
(energy * 1000000000) asInteger  (truncation toward zero).
"""
def f(m,e):
    p=1.0
    for _ in range(e): p=p*10.0
    return float(m)/p
def sqrt(x):
    g=x
    for _ in range(16): g=(g+(x/g))*0.5
    return g
PI=f(314159265,8); SOLAR=(4.0*PI)*PI; DPY=f(36524,2)
class B:
    def __init__(s,x,y,z,vx,vy,vz,m):
        s.x,s.y,s.z=x,y,z; s.vx=vx*DPY; s.vy=vy*DPY; s.vz=vz*DPY; s.m=m*SOLAR
def system():
    bs=[B(0.0,0.0,0.0,0.0,0.0,0.0,1.0),
        B(f(484143144,8),f(-116032004,8),f(-103622044,9),f(166007664,11),f(769901118,11),f(-690460017,13),f(954791938,12)),
        B(f(834336672,8),f(412479856,8),f(-403523417,9),f(-276742511,11),f(499852801,11),f(230417298,13),f(285885981,12)),
        B(f(128943696,7),f(-151111514,7),f(-223307579,9),f(296460138,11),f(237847174,11),f(-296589569,13),f(436624404,13)),
        B(f(153796971,7),f(-259193146,7),f(179258773,9),f(268067772,11),f(162824170,11),f(-951592255,14),f(515138902,13))]
    px=py=pz=0.0
    for b in bs:
        px=px+(b.vx*b.m); py=py+(b.vy*b.m); pz=pz+(b.vz*b.m)
    s=bs[0]; s.vx=0.0-(px/SOLAR); s.vy=0.0-(py/SOLAR); s.vz=0.0-(pz/SOLAR)
    return bs
def advance(bs,dt):
    n=len(bs)
    for i in range(n):
        a=bs[i]
        for j in range(i+1,n):
            b=bs[j]
            dx=a.x-b.x; dy=a.y-b.y; dz=a.z-b.z
            d2=((dx*dx)+(dy*dy))+(dz*dz)
            dist=sqrt(d2)
            mag=dt/(d2*dist)
            a.vx=a.vx-((dx*b.m)*mag); a.vy=a.vy-((dy*b.m)*mag); a.vz=a.vz-((dz*b.m)*mag)
            b.vx=b.vx+((dx*a.m)*mag); b.vy=b.vy+((dy*a.m)*mag); b.vz=b.vz+((dz*a.m)*mag)
    for b in bs:
        b.x=b.x+(dt*b.vx); b.y=b.y+(dt*b.vy); b.z=b.z+(dt*b.vz)
def energy(bs):
    e=0.0; n=len(bs)
    for i in range(n):
        a=bs[i]
        e=e+((0.5*a.m)*(((a.vx*a.vx)+(a.vy*a.vy))+(a.vz*a.vz)))
        for j in range(i+1,n):
            b=bs[j]
            dx=a.x-b.x; dy=a.y-b.y; dz=a.z-b.z
            dist=sqrt(((dx*dx)+(dy*dy))+(dz*dz))
            e=e-((a.m*b.m)/dist)
    return e
bs=system(); e0=energy(bs)
dt=f(1,2)
for _ in range(100): advance(bs,dt)
e=energy(bs)
print('initial energy', repr(e0))
print('final energy  ', repr(e))
print('check value   ', int(e * 1000000000))
