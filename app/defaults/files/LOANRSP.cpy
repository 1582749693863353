      *****************************************************************
      * LOANRSP   LOAN APPLICATION RISK SCORING - RESPONSE FILE        *
      *           RECFM=FB  LRECL=100  CODE PAGE 037 (EBCDIC)          *
      *           RD-SCORE 0-999, HIGHER IS LOWER RISK                 *
      *           RD-DECISION A=APPROVE R=REFER D=DECLINE              *
      *****************************************************************
000100 01  RS-RECORD.
000200     05  RS-REC-TYPE                 PIC X(01).
000300     05  RS-HEADER-REC.
000400         10  RH-FILE-ID              PIC X(08).
000500         10  RH-RUN-DATE             PIC 9(08).
000600         10  RH-MODEL                PIC X(24).
000700         10  FILLER                  PIC X(59).
000800     05  RS-DETAIL-REC REDEFINES RS-HEADER-REC.
000900         10  RD-APPL-NO              PIC X(12).
001000         10  RD-SCORE                PIC 9(03).
001100         10  RD-PD                   PIC 9V9(06).
001200         10  RD-DECISION             PIC X(01).
001300         10  RD-REASON-CODE          PIC X(03) OCCURS 4 TIMES.
001400         10  RD-MODEL                PIC X(24).
001500         10  FILLER                  PIC X(40).
001600     05  RS-TRAILER-REC REDEFINES RS-HEADER-REC.
001700         10  RT-RECORD-COUNT         PIC 9(09).
001800         10  RT-REJECT-COUNT         PIC 9(09).
001900         10  RT-TOTAL-LOAN-AMOUNT    PIC S9(13)V99 COMP-3.
002000         10  FILLER                  PIC X(73).
